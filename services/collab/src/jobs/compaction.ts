import { closeRedis, createRedis } from '@flux/server-kit';
import { COLLAB_COMPACTION_QUEUE, type CompactionJob } from '@flux/shared';
import { Queue, Worker } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { compactDocument } from '../persistence/compaction.js';

/** The compaction queue (producer) and, unless disabled, its worker in this process. */
export class Compaction {
  private readonly producer;
  private readonly queue: Queue<CompactionJob>;
  private worker?: Worker<CompactionJob>;
  private workerConnection?: ReturnType<typeof createRedis>;

  constructor(
    private readonly config: Config,
    private readonly db: Kysely<Database>,
    private readonly log: FastifyBaseLogger,
  ) {
    this.producer = createRedis(config.redisUrl, log, 'collab-compaction-producer', { enableOfflineQueue: false });
    this.queue = new Queue<CompactionJob>(COLLAB_COMPACTION_QUEUE, {
      connection: this.producer,
      prefix: `${config.redisPrefix}bull`,
      defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 },
    });
    this.queue.on('error', (err) => log.warn({ err }, 'compaction queue error'));
    if (config.compactionWorker) this.startWorker();
  }

  private startWorker(): void {
    this.workerConnection = createRedis(this.config.redisUrl, this.log, 'collab-compaction-worker', { maxRetriesPerRequest: null });
    this.worker = new Worker<CompactionJob>(
      COLLAB_COMPACTION_QUEUE,
      async (job) => {
        const { folded } = await compactDocument(this.db, job.data.documentId);
        this.log.debug({ documentId: job.data.documentId, folded }, 'document compacted');
        return { folded };
      },
      { connection: this.workerConnection, prefix: `${this.config.redisPrefix}bull`, concurrency: 2 },
    );
    this.worker.on('error', (err) => this.log.warn({ err }, 'compaction worker error'));
    this.worker.on('failed', (job, err) => this.log.error({ err, jobId: job?.id }, 'compaction failed'));
  }

  /**
   * Asks for a compaction. The job id is the document, so requests pile into one waiting job;
   * the short delay lets a burst of edits finish first. Losing a request is harmless (the next
   * threshold crossing asks again), so a Redis hiccup is only logged.
   */
  async request(documentId: string): Promise<void> {
    await this.queue.add('compact', { documentId }, { jobId: `compact-${documentId}`, delay: 500 }).catch((err: unknown) => {
      this.log.warn({ err, documentId }, 'could not enqueue compaction');
    });
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await closeRedis(this.producer);
    if (this.workerConnection) await closeRedis(this.workerConnection);
  }
}
