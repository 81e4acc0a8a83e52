import fp from 'fastify-plugin';
import { registerHealth, type HealthExtra } from '../health.js';

export interface HealthPluginOptions {
  service: string;
  /** `/health` and where nginx exposes it, e.g. `/api/auth/health`. */
  paths: string[];
  /** Extra fields for the body, e.g. collab's connection counts. */
  extra?: HealthExtra;
}

/** Health routes that make a real round trip to PostgreSQL and Redis. */
export const fluxHealth = fp<HealthPluginOptions>(
  async (app, { service, paths, extra }) => {
    registerHealth(app, { service, paths, sql: app.sql, redis: app.redis, extra });
  },
  { name: 'flux-health', fastify: '5.x', dependencies: ['flux-db', 'flux-redis'] },
);
