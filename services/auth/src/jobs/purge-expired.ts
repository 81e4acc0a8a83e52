import { createRedis, closeRedis } from '@flux/server-kit';
import { Queue, Worker } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { deleteDeadEmailTokens } from '../accounts/repository.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { deleteOldOutboxMail } from '../mail/repository.js';
import { deleteExpiredInvitations } from '../organizations/repository.js';
import { deleteSecurityEventsBefore } from '../security/repository.js';
import { deleteDeadRefreshTokens, deleteSessionsEndedBefore } from '../sessions/repository.js';

export const MAINTENANCE_QUEUE = 'auth-maintenance';
export const PURGE_JOB = 'purge_expired';
/** Ended sessions stay listed in the security history this long before they go. */
const ENDED_SESSION_RETENTION_DAYS = 30;

export interface PurgeResult {
  refreshTokens: number;
  sessions: number;
  emailTokens: number;
  securityEvents: number;
  invitations: number;
  outbox: number;
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

/**
 * Deletes what can no longer be used: expired refresh tokens and those of ended sessions, long-ended
 * sessions, spent or expired email tokens, expired invitations and security events past retention.
 * Idempotent: running it twice (or on two instances at once) deletes nothing more.
 */
export async function purgeExpired(
  db: Kysely<Database>,
  { securityEventRetentionDays }: { securityEventRetentionDays: number },
): Promise<PurgeResult> {
  const now = new Date();
  const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
  return {
    refreshTokens: count(await deleteDeadRefreshTokens(db, now)),
    sessions: count(await deleteSessionsEndedBefore(db, daysAgo(ENDED_SESSION_RETENTION_DAYS))),
    emailTokens: count(await deleteDeadEmailTokens(db, now)),
    securityEvents: count(await deleteSecurityEventsBefore(db, daysAgo(securityEventRetentionDays))),
    invitations: count(await deleteExpiredInvitations(db, now)),
    outbox: count(await deleteOldOutboxMail(db)),
  };
}

export interface Maintenance {
  queue: Queue;
  close(): Promise<void>;
}

/**
 * A BullMQ job scheduler runs the purge every AUTH_PURGE_EVERY_SECONDS. The scheduler lives in Redis
 * under one id, so every instance upserting it at boot still yields one job per period, taken by
 * exactly one worker; it survives restarts.
 */
export function startMaintenance(config: Config, db: Kysely<Database>, log: FastifyBaseLogger): Maintenance {
  const prefix = `${config.redisPrefix}bull`;
  const producer = createRedis(config.redisUrl, log, 'auth-queue', { maxRetriesPerRequest: null });
  const consumer = createRedis(config.redisUrl, log, 'auth-worker', { maxRetriesPerRequest: null });
  const queue = new Queue(MAINTENANCE_QUEUE, { connection: producer, prefix });
  queue.on('error', (err) => log.warn({ err }, 'maintenance queue error'));
  // Not awaited: with Redis down the service still boots (health says degraded) and this is retried by ioredis.
  const scheduled = queue
    .upsertJobScheduler(
      PURGE_JOB,
      { every: config.purgeEverySeconds * 1000 },
      {
        name: PURGE_JOB,
        data: {},
        opts: { removeOnComplete: 100, removeOnFail: 100, attempts: 3, backoff: { type: 'exponential', delay: 10_000 } },
      },
    )
    .catch((err: unknown) => log.error({ err }, 'could not schedule the auth purge job'));
  const worker = new Worker(
    MAINTENANCE_QUEUE,
    async (job) => {
      if (job.name !== PURGE_JOB) return undefined;
      const result = await purgeExpired(db, config);
      log.info({ ...result }, 'purged expired auth data');
      return result;
    },
    { connection: consumer, prefix, concurrency: 1 },
  );
  worker.on('error', (err) => log.warn({ err }, 'maintenance worker error'));
  return {
    queue,
    async close() {
      await scheduled;
      await worker.close();
      await queue.close();
      await closeRedis(consumer);
      await closeRedis(producer);
    },
  };
}
