import type { QueueFactory } from '@flux/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { purgeTrash } from '../documents/repository.js';

export const TRASH_QUEUE = 'collab-trash';
export const PURGE_TRASH_JOB = 'purge_trash';
/** Documents deleted per statement: a big backlog goes in short transactions. */
const BATCH = 200;

/** The purge needs nothing but the time it runs: no ids, no rows. */
export type PurgeTrashData = Record<string, never>;

/**
 * Deletes for good the documents in the trash for more than `trashDays` (their updates, snapshot,
 * versions and comments cascade). Nothing is announced: `document.deleted` left when they went to
 * the trash, and no other service keeps document data. Idempotent: a second run finds nothing.
 */
export async function purgeExpiredTrash(db: Kysely<Database>, { trashDays }: Pick<Config, 'trashDays'>, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - trashDays * 86_400_000);
  let purged = 0;
  for (;;) {
    const deleted = await purgeTrash(db, before, BATCH);
    purged += deleted;
    if (deleted < BATCH) return purged;
  }
}

/**
 * Runs the purge every COLLAB_TRASH_PURGE_EVERY_SECONDS through a BullMQ job scheduler (one id in
 * Redis: every instance upserting it at boot still yields one job per period, taken by one worker).
 * Resolves once the scheduler is written, or failed to be (with Redis down the service still boots).
 */
export function scheduleTrashPurge(
  queues: QueueFactory,
  db: Kysely<Database>,
  config: Pick<Config, 'trashDays' | 'trashPurgeEverySeconds' | 'trashPurgeWorker'>,
  log: FastifyBaseLogger,
): Promise<void> {
  const queue = queues.createQueue<PurgeTrashData, number>(TRASH_QUEUE);
  if (config.trashPurgeWorker) {
    queues.createWorker<PurgeTrashData, number>(
      TRASH_QUEUE,
      async () => {
        const purged = await purgeExpiredTrash(db, config);
        if (purged > 0) log.info({ purged }, 'purged documents past their time in the trash');
        return purged;
      },
      { concurrency: 1 },
    );
  }
  return queue
    .upsertJobScheduler(
      PURGE_TRASH_JOB,
      { every: config.trashPurgeEverySeconds * 1000 },
      {
        name: PURGE_TRASH_JOB,
        data: {},
        opts: { removeOnComplete: 100, removeOnFail: 100, attempts: 3, backoff: { type: 'exponential', delay: 10_000 } },
      },
    )
    .then(
      () => undefined,
      (err: unknown) => log.error({ err }, 'could not schedule the trash purge job'),
    );
}
