import { createQueueFactory } from '@flux/server-kit';
import { COLLAB_COMPACTION_QUEUE, type CompactionJob } from '@flux/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { compactDocument } from '../persistence/compaction.js';

type CompactionResult = { folded: number };

/** The compaction queue (producer) and, unless disabled, its worker in this process. */
export interface Compaction {
  /**
   * Asks for a compaction. The job id is the document, so requests pile into one waiting job;
   * the short delay lets a burst of edits finish first. Losing a request is harmless (the next
   * threshold crossing asks again), so a Redis hiccup is only logged.
   */
  request(documentId: string): Promise<void>;
  /** Worker (running jobs finish), then queue, then connections. */
  close(): Promise<void>;
}

/** `metrics`: the app's registry, for the queue's depth and lag gauges. */
export function createCompaction(config: Config, db: Kysely<Database>, log: FastifyBaseLogger, metrics?: Registry): Compaction {
  const queues = createQueueFactory({ redisUrl: config.redisUrl, prefix: config.redisPrefix, log, purpose: 'collab-compaction', metrics });
  const queue = queues.createQueue<CompactionJob, CompactionResult, 'compact'>(COLLAB_COMPACTION_QUEUE, {
    defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 },
  });
  if (config.compactionWorker) {
    queues.createWorker<CompactionJob, CompactionResult, 'compact'>(
      COLLAB_COMPACTION_QUEUE,
      async (job) => {
        const { folded } = await compactDocument(db, job.data.documentId);
        log.debug({ documentId: job.data.documentId, folded }, 'document compacted');
        return { folded };
      },
      { concurrency: 2 },
    );
  }
  return {
    async request(documentId) {
      await queue.add('compact', { documentId }, { jobId: `compact-${documentId}`, delay: 500 }).catch((err: unknown) => {
        log.warn({ err, documentId }, 'could not enqueue compaction');
      });
    },
    close: () => queues.close(),
  };
}
