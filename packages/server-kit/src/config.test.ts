import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader, readBaseConfig } from './config.js';

const secretsFile = () => join(mkdtempSync(join(tmpdir(), 'flux-secrets-')), 'secrets.env');

describe('config', () => {
  it('uses the documented defaults', () => {
    const env = new EnvReader({ FLUX_SECRETS_FILE: secretsFile() });
    const config = readBaseConfig(env, 'messaging');
    env.done();
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3004, redisPrefix: 'flux:', production: false });
    expect(config.serviceTokenSecret.length).toBeGreaterThan(30);
  });

  it('lists every bad setting at once', () => {
    const env = new EnvReader({ FLUX_SECRETS_FILE: secretsFile(), PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    readBaseConfig(env, 'auth');
    expect(() => env.done()).toThrow(ConfigError);
    expect(env.problems).toHaveLength(3);
    expect(env.problems.join('\n')).toMatch(/PORT.*DATABASE_URL.*LOG_LEVEL/s);
  });

  it('refuses to start in production without secrets, naming the missing one', () => {
    const env = new EnvReader({ NODE_ENV: 'production' });
    readBaseConfig(env, 'auth');
    expect(() => env.done()).toThrow(/SERVICE_TOKEN_SECRET is required in production/);
  });

  it('generates development secrets once and reuses them', () => {
    const file = secretsFile();
    const first = new EnvReader({ FLUX_SECRETS_FILE: file }).secret('JWT_PRIVATE_KEY');
    expect(first).toContain('BEGIN PRIVATE KEY');
    const text = readFileSync(file, 'utf8');
    expect(new EnvReader({ FLUX_SECRETS_FILE: file }).secret('JWT_PRIVATE_KEY')).toBe(first);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('prefers the environment over the secrets file', () => {
    expect(new EnvReader({ FLUX_SECRETS_FILE: secretsFile(), SERVICE_TOKEN_SECRET: 'from-env' }).secret('SERVICE_TOKEN_SECRET')).toBe(
      'from-env',
    );
  });
});
