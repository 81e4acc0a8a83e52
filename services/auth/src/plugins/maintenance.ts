import { createQueueFactory } from '@flux/server-kit';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { schedulePurge } from '../jobs/purge-expired.js';

/**
 * The `auth-maintenance` queue: the purge scheduler and its worker (when AUTH_JOBS is on).
 * Registered after the core plugins, so fastify closes it first: a running purge finishes while
 * PostgreSQL is still open, then the worker, the queue and their Redis connections close.
 */
export const maintenancePlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const queues = createQueueFactory({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      log: app.log,
      purpose: 'auth-maintenance',
      metrics: app.metrics,
    });
    // Not awaited: with Redis down the service still boots (health says degraded) and ioredis retries.
    const scheduled = schedulePurge(queues, app.db, app.events, config, app.log);
    app.addHook('onClose', async () => {
      await scheduled;
      await queues.close();
    });
  },
  { name: 'auth-maintenance', fastify: '5.x', dependencies: ['flux-db', 'flux-redis', 'flux-metrics', 'flux-events'] },
);
