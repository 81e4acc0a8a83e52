import { Queue, Worker, type Job, type Processor, type QueueOptions, type WorkerOptions } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { scrapedGauge } from './metrics.js';
import { closeRedis, createRedis } from './redis.js';

export interface QueueFactoryOptions {
  redisUrl: string;
  /** The deployment's REDIS_PREFIX; queues live under `${prefix}bull`. */
  prefix: string;
  log: FastifyBaseLogger;
  /** Names the Redis connections in logs and `CLIENT LIST`, e.g. `notifications`. */
  purpose?: string;
  /** The app's registry (`app.metrics`): depth and lag gauges for every queue this factory creates. */
  metrics?: Registry;
}

export type CreateQueueOptions = Omit<QueueOptions, 'connection' | 'prefix'>;
export type CreateWorkerOptions = Omit<WorkerOptions, 'connection' | 'prefix'>;

export interface QueueFactory {
  /** A typed producer. Its connection fails fast (no offline queue): `add` rejects at once while Redis is away. */
  createQueue<Data, Result = unknown, Name extends string = string>(name: string, options?: CreateQueueOptions): Queue<Data, Result, Name>;
  /** A typed consumer; its connection retries forever (BullMQ's blocking reads need `maxRetriesPerRequest: null`). */
  createWorker<Data, Result = unknown, Name extends string = string>(
    name: string,
    processor: Processor<Data, Result, Name>,
    options?: CreateWorkerOptions,
  ): Worker<Data, Result, Name>;
  /**
   * Closes the workers (waiting for running jobs unless `force`), then the queues, then the
   * Redis connections. Safe to call twice.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/** True when BullMQ will not run the job again: attempts used up, or an UnrecoverableError. */
export const isFinalAttempt = (job: Job): boolean => Boolean(job.finishedOn) || job.attemptsMade >= (job.opts.attempts ?? 1);

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;
/** What the gauges read from a queue (any Queue<Data, …> has it). */
interface ReportedQueue {
  readonly name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
  getJobs(states: 'wait'[], start: number, end: number, asc: boolean): Promise<Array<{ timestamp: number }>>;
}
/** The queues each registry reports on: one pair of gauges per registry, whichever factory made the queue. */
const reportedQueues = new WeakMap<Registry, Set<ReportedQueue>>();

/** `bullmq_queue_jobs{queue,state}` and `bullmq_queue_oldest_waiting_seconds{queue}` (the queue lag), read when scraped. */
function registerQueueGauges(registry: Registry, reported: Set<ReportedQueue>): void {
  scrapedGauge(registry, 'bullmq_queue_jobs', 'Jobs in each BullMQ queue by state', ['queue', 'state'], async (set) => {
    for (const queue of reported) {
      const counts = await queue.getJobCounts(...JOB_STATES);
      for (const state of JOB_STATES) set({ queue: queue.name, state }, counts[state] ?? 0);
    }
  });
  scrapedGauge(
    registry,
    'bullmq_queue_oldest_waiting_seconds',
    'Age of the oldest job waiting for a worker (0 when none waits): the queue lag',
    ['queue'],
    async (set) => {
      for (const queue of reported) {
        // The wait list is newest first; ascending order puts the oldest at index 0.
        const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
        set({ queue: queue.name }, oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0);
      }
    },
  );
}

/** Adds a queue to its registry's gauges (registering them with the first queue); returns the removal. */
function reportQueue(registry: Registry, queue: ReportedQueue): () => void {
  const reported = reportedQueues.get(registry) ?? new Set<ReportedQueue>();
  if (!reportedQueues.has(registry)) {
    reportedQueues.set(registry, reported);
    registerQueueGauges(registry, reported);
  }
  reported.add(queue);
  return () => reported.delete(queue);
}

/**
 * One place for BullMQ wiring (outline's `createQueue`): connections made and closed here,
 * `error` listeners on everything, and a failure logged as an error once it is final.
 */
export function createQueueFactory({ redisUrl, prefix, log, purpose = 'queues', metrics }: QueueFactoryOptions): QueueFactory {
  const bullPrefix = `${prefix}bull`;
  // Only what close() needs: Worker<Data, …> is not assignable to Worker<unknown, …> (its processor is contravariant).
  const queues: Array<{ close(): Promise<void> }> = [];
  const workers: Array<{ close(force?: boolean): Promise<void> }> = [];
  const unreport: Array<() => void> = [];
  let producer: Redis | undefined;
  let consumer: Redis | undefined;
  let closing: Promise<void> | undefined;

  const open = () => {
    if (closing) throw new Error('the queue factory is closed');
  };

  return {
    createQueue<Data, Result = unknown, Name extends string = string>(name: string, options: CreateQueueOptions = {}) {
      open();
      producer ??= createRedis(redisUrl, log, `${purpose}-producer`, { enableOfflineQueue: false });
      const queue = new Queue<Data, Result, Name>(name, { ...options, connection: producer, prefix: bullPrefix });
      queue.on('error', (err) => log.warn({ err, queue: name }, 'queue error'));
      queues.push(queue);
      if (metrics) unreport.push(reportQueue(metrics, queue));
      return queue;
    },

    createWorker<Data, Result = unknown, Name extends string = string>(
      name: string,
      processor: Processor<Data, Result, Name>,
      options: CreateWorkerOptions = {},
    ) {
      open();
      consumer ??= createRedis(redisUrl, log, `${purpose}-worker`, { maxRetriesPerRequest: null });
      const worker = new Worker<Data, Result, Name>(name, processor, {
        // A job whose worker died (kill -9, a lost host) runs again once its lock lapses and a stalled
        // check finds it: within 15 s rather than BullMQ's 30 + 30. A live worker renews the lock every 5 s.
        lockDuration: 10_000,
        stalledInterval: 5_000,
        ...options,
        connection: consumer,
        prefix: bullPrefix,
      });
      worker.on('error', (err) => log.warn({ err, queue: name }, 'worker error'));
      worker.on('failed', (job, err) => {
        if (!job) log.error({ err, queue: name }, 'job failed');
        else if (isFinalAttempt(job)) {
          log.error({ err, queue: name, jobId: job.id, job: job.name, attemptsMade: job.attemptsMade }, 'job failed on its final attempt');
        } else log.warn({ err, queue: name, jobId: job.id, job: job.name, attemptsMade: job.attemptsMade }, 'job failed; will retry');
      });
      workers.push(worker);
      return worker;
    },

    close({ force = false } = {}) {
      closing ??= (async () => {
        // Workers first so no job starts on a closed queue; connections last, once nothing uses them.
        for (const stop of unreport) stop();
        await Promise.allSettled(workers.map((worker) => worker.close(force)));
        await Promise.allSettled(queues.map((queue) => queue.close()));
        await Promise.all([consumer && closeRedis(consumer), producer && closeRedis(producer)]);
      })();
      return closing;
    },
  };
}
