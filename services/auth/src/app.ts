import { createServiceApp, type App } from '@flux/server-kit';
import type { Config } from './config.js';
import type { Database } from './db/database.js';

export interface BuildOptions {
  logger?: boolean;
}

export async function buildApp(config: Config, { logger = true }: BuildOptions = {}): Promise<App> {
  const { app } = await createServiceApp<Database>({ service: 'auth', config, publicHealthPath: '/api/auth/health', logger });
  return app;
}
