import { randomUUID } from 'node:crypto';
import { createRedis, closeRedis } from '@flux/server-kit';
import { NOTIFICATIONS_QUEUE } from '@flux/shared';
import { Queue, Worker, type Job } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database, NewNotification } from '../db/database.js';
import { toNotification } from '../notifications/mappers.js';
import { findMentions } from '../notifications/mentions.js';
import * as conversationsRepo from '../conversations/repository.js';
import * as messagesRepo from '../messages/repository.js';
import { insertNew } from '../notifications/repository.js';
import * as usersRepo from '../users/repository.js';
import type { Realtime } from '../realtime/realtime.js';

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
type Jobs = { message_created: MessageCreatedJob; members_added: MembersAddedJob };
type JobName = keyof Jobs;

const preview = (text: string) => (text.length > 140 ? `${text.slice(0, 139)}…` : text);

/** Turns a job into stored notifications and pushes the new ones live; safe to run twice. */
export class NotificationProcessor {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly realtime: Realtime,
  ) {}

  private readonly running = new Set<Promise<number>>();
  private closed = false;

  /** Runs one job, unless shutting down (then it fails and BullMQ retries it elsewhere). */
  process(name: JobName, data: Jobs[JobName]): Promise<number> {
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

  private async run(name: JobName, data: Jobs[JobName]): Promise<number> {
    const rows =
      name === 'message_created' ? await this.forMessage(data as MessageCreatedJob) : await this.forMembersAdded(data as MembersAddedJob);
    const created = await insertNew(this.db, rows);
    for (const row of created) this.realtime.toUsers([row.user_id], 'notification:new', toNotification(row));
    return created.length;
  }

  private async forMessage({ messageId }: MessageCreatedJob): Promise<NewNotification[]> {
    const message = await messagesRepo.findForNotification(this.db, messageId);
    if (!message || message.deleted_at) return [];
    const members = await conversationsRepo.otherMembersWithNames(this.db, message.conversation_id, message.sender_id);
    const sender = message.sender_name ?? 'Someone';
    // Dated like the message, not like the (concurrent, maybe retried) job: the list stays in message order.
    const base = {
      conversation_id: message.conversation_id,
      message_id: message.id,
      actor_id: message.sender_id,
      dedupe_key: `message:${message.id}`,
      created_at: message.created_at,
    };
    if (message.type === 'direct') {
      return members.map((m) => ({
        ...base,
        user_id: m.userId,
        type: 'direct_message' as const,
        title: `New message from ${sender}`,
        body: preview(message.content),
      }));
    }
    const mentioned = findMentions(
      message.content,
      members.map((m) => ({ userId: m.userId, name: m.name ?? '', email: m.email ?? '' })),
    );
    const where = message.conversation_name ? ` in ${message.conversation_name}` : '';
    return mentioned.map((userId) => ({
      ...base,
      user_id: userId,
      type: 'mention' as const,
      title: `${sender} mentioned you${where}`,
      body: preview(message.content),
    }));
  }

  private async forMembersAdded({ conversationId, userIds, actorId, addId }: MembersAddedJob): Promise<NewNotification[]> {
    const conversation = await conversationsRepo.findById(this.db, conversationId);
    if (!conversation) return [];
    const [actor] = actorId ? await usersRepo.names(this.db, [actorId]) : [];
    const title = `${actor?.name ?? 'Someone'} added you to ${conversation.name ?? 'a conversation'}`;
    return userIds
      .filter((id) => id !== actorId)
      .map((userId) => ({
        user_id: userId,
        type: 'added_to_conversation' as const,
        title,
        body: '',
        conversation_id: conversationId,
        message_id: null,
        actor_id: actorId,
        dedupe_key: `added:${conversationId}:${addId}`,
      }));
  }
}

/**
 * The notifications queue: producers enqueue after commit; a worker in every instance
 * processes. When Redis cannot take a job in time, the work runs inline instead of being lost.
 */
export class NotificationQueue {
  private readonly producer;
  private readonly queue: Queue;
  private worker?: Worker;
  private readonly inFlight = new Set<Promise<void>>();
  private workerConnection?: ReturnType<typeof createRedis>;

  constructor(
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
    private readonly processor: NotificationProcessor,
  ) {
    this.producer = createRedis(config.redisUrl, log, 'notifications-producer', { enableOfflineQueue: false });
    this.queue = new Queue(NOTIFICATIONS_QUEUE, {
      connection: this.producer,
      prefix: `${config.redisPrefix}bull`,
      defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: 1000, removeOnFail: 5000 },
    });
    this.queue.on('error', (err) => log.warn({ err }, 'notifications queue error'));
  }

  startWorker(): void {
    this.workerConnection = createRedis(this.config.redisUrl, this.log, 'notifications-worker', { maxRetriesPerRequest: null });
    this.worker = new Worker(NOTIFICATIONS_QUEUE, (job: Job) => this.processor.process(job.name as JobName, job.data), {
      connection: this.workerConnection,
      prefix: `${this.config.redisPrefix}bull`,
      concurrency: 10,
    });
    this.worker.on('error', (err) => this.log.warn({ err }, 'notifications worker error'));
    this.worker.on('failed', (job, err) => this.log.error({ err, jobId: job?.id, name: job?.name }, 'notification job failed'));
  }

  messageCreated(data: MessageCreatedJob): Promise<void> {
    return this.enqueue('message_created', data, `message_created-${data.messageId}`);
  }

  /** Enqueues in the background; `close()` waits for it. */
  messageCreatedSoon(data: MessageCreatedJob): void {
    const pending = this.messageCreated(data).finally(() => this.inFlight.delete(pending));
    this.inFlight.add(pending);
  }

  membersAdded(data: Omit<MembersAddedJob, 'addId'>): Promise<void> {
    if (data.userIds.length === 0) return Promise.resolve();
    const addId = randomUUID();
    return this.enqueue('members_added', { ...data, addId }, `members_added-${addId}`);
  }

  private async enqueue<N extends JobName>(name: N, data: Jobs[N], jobId: string): Promise<void> {
    // If the timeout wins, the add may still settle later (even fail once the queue is closed):
    // it must not become an unhandled rejection. A late success only repeats idempotent work.
    const adding = this.queue.add(name, data, { jobId });
    adding.catch(() => {});
    try {
      await Promise.race([
        adding,
        new Promise((_, reject) => setTimeout(() => reject(new Error('queue did not answer within 2 s')), 2000).unref()),
      ]);
    } catch (err) {
      this.log.warn({ err, name, jobId }, 'could not enqueue notifications; processing inline');
      await this.processor
        .process(name, data)
        .catch((inlineErr: unknown) => this.log.error({ err: inlineErr, name, jobId }, 'inline notification processing failed'));
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    // Forced: after a Redis outage a graceful close can wait forever on the blocking connection,
    // and the worker may still hand over a job it fetched: the processor refuses it (it is
    // retried elsewhere; jobs are idempotent) and finishes the runs already going.
    await this.worker?.close(true);
    await this.processor.close();
    await this.queue.close();
    await closeRedis(this.producer);
    if (this.workerConnection) await closeRedis(this.workerConnection);
  }
}
