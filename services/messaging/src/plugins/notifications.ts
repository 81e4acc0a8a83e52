import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { NotificationProcessor, NotificationQueue } from '../jobs/notifications.js';
import { deliver } from '../notifications/service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The notifications queue (producer) with its worker running in this instance. */
    notifications: NotificationQueue;
  }
}

/**
 * The notifications queue and this instance's worker. Registered after realtime, so it closes
 * first: jobs still running can push their notifications and use PostgreSQL while they finish.
 */
export const notificationsPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const db: Kysely<Database> = app.db;
    const queue = new NotificationQueue(
      config,
      app.log,
      new NotificationProcessor((name, data) => deliver(db, app.realtime, name, data)),
      app.metrics,
    );
    queue.startWorker();
    app.decorate('notifications', queue);
    app.addHook('onClose', async () => {
      await queue.close();
    });
  },
  { name: 'messaging-notifications', dependencies: ['flux-db', 'flux-redis', 'flux-metrics', 'messaging-realtime'] },
);
