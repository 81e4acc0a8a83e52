import { EnvReader, readBaseConfig, type BaseConfig } from '@flux/server-kit';

export type Config = BaseConfig;

/** The only reader of process.env in this service. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const reader = new EnvReader(env);
  const config = readBaseConfig(reader, 'collab');
  reader.done();
  return config;
}
