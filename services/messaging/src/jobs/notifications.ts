import { randomUUID } from 'node:crypto';
import { createQueueFactory, type OutboxEvent, type QueueFactory } from '@flux/server-kit';
import { NOTIFICATIONS_QUEUE } from '@flux/shared';
import type { Queue } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';

/** Job data carries ids only (never message content): the processor reads the rows. */
export interface MessageCreatedJob {
  messageId: string;
}
export interface MembersAddedJob {
  conversationId: string;
  userIds: string[];
  actorId: string | null;
  /** Distinguishes one add from a later re-add, and stays the same when the job is retried. */
  addId: string;
}
/** The jobs of the `notifications` queue by name (one queue; the name tells the kind). */
export type NotificationJobs = { message_created: MessageCreatedJob; members_added: MembersAddedJob };
type JobName = keyof NotificationJobs;
type JobData = NotificationJobs[JobName];
/** A job as it waits in `messaging.outbox`, written with the transaction of what it is about. */
export type NotificationJob = {
  [N in JobName]: { name: N; data: NotificationJobs[N]; jobId: string };
}[JobName];
/** What messaging writes to its outbox. */
export type MessagingOutboxEvents = { notification: NotificationJob };
export const messageCreatedJob = (messageId: string): NotificationJob => ({
  name: 'message_created',
  data: { messageId },
  jobId: `message_created-${messageId}`,
});
export const membersAddedJob = (data: Omit<MembersAddedJob, 'addId'>): NotificationJob => {
  const addId = randomUUID();
  return { name: 'members_added', data: { ...data, addId }, jobId: `members_added-${addId}` };
};

/** Runs one job; resolves with how many notifications were new. */
export type NotificationRunner = <N extends JobName>(name: N, data: NotificationJobs[N]) => Promise<number>;

/** Runs jobs until closed, then refuses new ones (BullMQ retries them elsewhere) and waits for those running. */
export class NotificationProcessor {
  private readonly running = new Set<Promise<number>>();
  private closed = false;

  constructor(private readonly run: NotificationRunner) {}

  process<N extends JobName>(name: N, data: NotificationJobs[N]): Promise<number> {
    if (this.closed) return Promise.reject(new Error('notifications are shutting down'));
    const run = this.run(name, data).finally(() => this.running.delete(run));
    this.running.add(run);
    return run;
  }

  /** Refuses new runs and waits for those still going, so the database pool closes after them. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
  }
}

/**
 * The notifications queue (server-kit's factory: fail-fast producer, worker connection without
 * a retry limit, error and final-attempt logging). Jobs are written to `messaging.outbox` with
 * the transaction of their cause and relayed here (`relay`); a worker in every instance processes. When Redis cannot take a job in time, the work runs inline instead
 * of being lost.
 */
export class NotificationQueue {
  private readonly queues: QueueFactory;
  private readonly queue: Queue<JobData, number, JobName>;

  constructor(
    config: Config,
    private readonly log: FastifyBaseLogger,
    private readonly processor: NotificationProcessor,
    /** The app's registry, for the queue's depth and lag gauges. */
    metrics?: Registry,
  ) {
    this.queues = createQueueFactory({ redisUrl: config.redisUrl, prefix: config.redisPrefix, log, purpose: 'notifications', metrics });
    this.queue = this.queues.createQueue<JobData, number, JobName>(NOTIFICATIONS_QUEUE, {
      defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: 1000, removeOnFail: 5000 },
    });
  }

  startWorker(): void {
    this.queues.createWorker<JobData, number, JobName>(NOTIFICATIONS_QUEUE, (job) => this.processor.process(job.name, job.data), {
      concurrency: 10,
    });
  }

  /**
   * The outbox relay's sink: the jobs committed with their messages and memberships, added in one
   * call (one Redis round trip per batch of the relay, not one per job). When Redis cannot take them
   * in time the work runs inline; only if that fails too do they stay in the outbox (the relay tries
   * again), so nothing committed is lost.
   */
  async relay(events: OutboxEvent<MessagingOutboxEvents>[]): Promise<void> {
    const jobs = events.map((event) => event.payload);
    if (jobs.length === 0) return;
    // If the timeout wins, the add may still settle later (even fail once the queue is closed):
    // it must not become an unhandled rejection. A late success only repeats idempotent work.
    // The timeout stays although the producer fails fast: before its first connection BullMQ
    // waits for Redis to be ready.
    const adding = this.queue.addBulk(jobs.map(({ name, data, jobId }) => ({ name, data: data as JobData, opts: { jobId } })));
    adding.catch(() => {});
    try {
      await Promise.race([
        adding,
        new Promise((_, reject) => setTimeout(() => reject(new Error('queue did not answer within 2 s')), 2000).unref()),
      ]);
    } catch (err) {
      this.log.warn({ err, jobs: jobs.length }, 'could not enqueue notifications; processing inline');
      for (const { name, data } of jobs) await this.processor.process<JobName>(name, data as JobData);
    }
  }

  async close(): Promise<void> {
    // Forced: after a Redis outage a graceful close can wait forever on the blocking connection,
    // and the worker may still hand over a job it fetched: the processor refuses it (it is
    // retried elsewhere; jobs are idempotent) and finishes the runs already going.
    await this.queues.close({ force: true });
    await this.processor.close();
  }
}
