import fp from 'fastify-plugin';
import type { BaseConfig } from '../config.js';
import type { HealthExtra } from '../health.js';
import { fluxDb } from './db.js';
import { fluxDbRead } from './db-read.js';
import { fluxErrorReporting } from './error-reporting.js';
import { fluxErrors } from './errors.js';
import { fluxEvents } from './events.js';
import { fluxHealth } from './health.js';
import { fluxMetrics } from './metrics.js';
import { fluxOpenApi } from './openapi.js';
import { fluxRedis } from './redis.js';
import { fluxServiceTokens } from './service-tokens.js';
import { fluxStreams } from './streams.js';

export interface CorePluginOptions {
  config: BaseConfig;
  /** Where nginx reaches `/health` from outside, e.g. `/api/auth/health` (contract §1). */
  publicHealthPath: string;
  health?: HealthExtra;
}

/**
 * Every core resource in one registration, in dependency order. Fastify closes them in
 * reverse, after the service's own plugins registered later, so those can still use
 * PostgreSQL and Redis while they close.
 */
export const fluxCore = fp<CorePluginOptions>(
  async (app, { config, publicHealthPath, health }) => {
    await app.register(fluxErrorReporting, {
      dsn: config.sentryDsn,
      service: config.service,
      environment: config.production ? 'production' : 'development',
    });
    await app.register(fluxErrors);
    await app.register(fluxDb, { url: config.databaseUrl, poolSize: config.databasePoolSize });
    await app.register(fluxDbRead, { url: config.databaseReplicaUrl, poolSize: config.databasePoolSize });
    await app.register(fluxRedis, { url: config.redisUrl });
    // Before any route, so the document sees them all.
    await app.register(fluxOpenApi, { service: config.service, redisPrefix: config.redisPrefix });
    await app.register(fluxEvents, { url: config.redisUrl, prefix: config.redisPrefix });
    await app.register(fluxStreams, { url: config.redisUrl, prefix: config.redisPrefix });
    await app.register(fluxServiceTokens, {
      service: config.service,
      privateKey: config.serviceKey,
      callers: config.serviceCallerKeys,
    });
    await app.register(fluxMetrics, { service: config.service });
    await app.register(fluxHealth, { service: config.service, paths: ['/health', publicHealthPath], extra: health });
  },
  { name: 'flux-core', fastify: '5.x' },
);
