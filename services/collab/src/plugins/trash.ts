import { createQueueFactory } from '@flux/server-kit';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { scheduleTrashPurge } from '../jobs/purge-trash.js';

/**
 * The `collab-trash` queue: the scheduler of the trash purge and (unless COLLAB_TRASH_PURGE_WORKER
 * is off) its worker. Registered after the core plugins, so a running purge finishes while
 * PostgreSQL is still open.
 */
export const trashPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const queues = createQueueFactory({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      log: app.log,
      purpose: 'collab-trash',
      metrics: app.metrics,
    });
    // Not awaited: with Redis down the service still boots (health says degraded) and ioredis retries.
    const scheduled = scheduleTrashPurge(queues, app.db, config, app.log);
    app.addHook('onClose', async () => {
      await scheduled;
      await queues.close();
    });
  },
  { name: 'collab-trash', fastify: '5.x', dependencies: ['flux-db', 'flux-metrics'] },
);
