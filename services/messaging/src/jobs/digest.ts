import { type AuthClient, createQueueFactory } from '@flux/server-kit';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { sendDigests } from '../notifications/digest.js';

export const DIGEST_QUEUE = 'notification-digest';
export const DIGEST_JOB = 'send_digests';

/**
 * The email digest every MESSAGING_DIGEST_EVERY_SECONDS (a day by default) through a BullMQ job
 * scheduler: one id in Redis, so every instance upserting it at boot still yields one run per period,
 * taken by one worker. Not awaited at boot: with Redis down the service starts and BullMQ retries.
 */
export const digestPlugin = fp<{ config: Config; auth: AuthClient }>(
  async (app, { config, auth }) => {
    const queues = createQueueFactory({
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      log: app.log,
      purpose: 'notification-digest',
      metrics: app.metrics,
    });
    const queue = queues.createQueue<Record<string, never>, number>(DIGEST_QUEUE);
    queues.createWorker<Record<string, never>, number>(
      DIGEST_QUEUE,
      async () => {
        const sent = await sendDigests({ db: app.db, auth, log: app.log, appUrl: config.publicUrl });
        if (sent > 0) app.log.info({ sent }, 'notification digests sent');
        return sent;
      },
      { concurrency: 1 },
    );
    const scheduled = queue
      .upsertJobScheduler(
        DIGEST_JOB,
        { every: config.digestEverySeconds * 1000 },
        {
          name: DIGEST_JOB,
          data: {},
          opts: { removeOnComplete: 100, removeOnFail: 100, attempts: 3, backoff: { type: 'exponential', delay: 30_000 } },
        },
      )
      .catch((err: unknown) => app.log.error({ err }, 'could not schedule the notification digest'));
    app.addHook('onClose', async () => {
      await scheduled;
      await queues.close();
    });
  },
  { name: 'messaging-digest', fastify: '5.x', dependencies: ['flux-db', 'flux-redis', 'flux-metrics'] },
);
