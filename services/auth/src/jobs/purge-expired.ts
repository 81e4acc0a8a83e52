import { createOutbox, type EventBus, type QueueFactory } from '@flux/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { deleteDeadEmailTokens } from '../accounts/repository.js';
import type { Config } from '../config.js';
import type { AuthOutboxEvents } from '../context.js';
import type { Database } from '../db/database.js';
import { deleteOldOutboxMail } from '../mail/repository.js';
import { eraseDeletedAccounts } from '../people/erasure.js';
import { deleteExpiredInvitations } from '../invitations/repository.js';
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

/** The purge needs nothing but the time it runs: no ids, no rows. */
export type PurgeJobData = Record<string, never>;

/**
 * Runs the purge every AUTH_PURGE_EVERY_SECONDS through a BullMQ job scheduler, and its worker. The
 * scheduler lives in Redis under one id, so every instance upserting it at boot still yields one job
 * per period, taken by exactly one worker; it survives restarts. Resolves once the scheduler is
 * written (or failed to be: with Redis down the service still boots and health says degraded).
 */
export function schedulePurge(
  queues: QueueFactory,
  db: Kysely<Database>,
  events: EventBus,
  config: Pick<Config, 'purgeEverySeconds' | 'securityEventRetentionDays' | 'deletionGraceSeconds' | 'redisPrefix'>,
  log: FastifyBaseLogger,
): Promise<void> {
  const queue = queues.createQueue<PurgeJobData, PurgeResult>(MAINTENANCE_QUEUE);
  const outbox = createOutbox<AuthOutboxEvents>('auth', config.redisPrefix);
  queues.createWorker<PurgeJobData, PurgeResult | undefined>(
    MAINTENANCE_QUEUE,
    async (job) => {
      if (job.name !== PURGE_JOB) return undefined;
      // Accounts past their deletion grace first: erasing them ends sessions the purge then removes.
      const erasedAccounts = await eraseDeletedAccounts({ db, events, outbox }, { graceSeconds: config.deletionGraceSeconds });
      const result = await purgeExpired(db, config);
      log.info({ ...result, erasedAccounts }, 'purged expired auth data');
      return result;
    },
    { concurrency: 1 },
  );
  return queue
    .upsertJobScheduler(
      PURGE_JOB,
      { every: config.purgeEverySeconds * 1000 },
      {
        name: PURGE_JOB,
        data: {},
        opts: { removeOnComplete: 100, removeOnFail: 100, attempts: 3, backoff: { type: 'exponential', delay: 10_000 } },
      },
    )
    .then(
      () => undefined,
      (err: unknown) => log.error({ err }, 'could not schedule the auth purge job'),
    );
}
