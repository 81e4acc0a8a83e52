import fp from 'fastify-plugin';
import { check, registerHealth, type HealthExtra } from '../health.js';
import { scrapedGauge } from '../metrics.js';

export interface HealthPluginOptions {
  service: string;
  /** `/health` and where nginx exposes it, e.g. `/api/auth/health`. */
  paths: string[];
  /** Extra fields for the body, e.g. collab's connection counts. */
  extra?: HealthExtra;
}

/** Health routes that make a real round trip to PostgreSQL and Redis, and the same as a gauge. */
export const fluxHealth = fp<HealthPluginOptions>(
  async (app, { service, paths, extra }) => {
    registerHealth(app, { service, paths, sql: app.sql, redis: app.redis, extra });
    // The same checks for Prometheus: `up` says the process answers, this says it can work.
    scrapedGauge(
      app.metrics,
      'flux_dependency_up',
      'Whether this instance reaches PostgreSQL (db) and Redis (redis): 1 or 0',
      ['dependency'],
      async (set) => {
        const [db, redis] = await Promise.all([check(() => app.sql`select 1`), check(() => app.redis.ping())]);
        set({ dependency: 'db' }, db === 'ok' ? 1 : 0);
        set({ dependency: 'redis' }, redis === 'ok' ? 1 : 0);
      },
    );
  },
  { name: 'flux-health', fastify: '5.x', dependencies: ['flux-db', 'flux-redis', 'flux-metrics'] },
);
