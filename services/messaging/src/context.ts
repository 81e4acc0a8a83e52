import type { AccessTokenVerifier, AuthClient, CollabClient, Outbox, RevokedSessions } from '@flux/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Counter } from 'prom-client';
import type { Config } from './config.js';
import type { MembershipCache } from './conversations/membership-cache.js';
import type { ProjectAccessCache } from './conversations/project-access.js';
import type { Database } from './db/database.js';
import type { FileStorage } from './files/storage.js';
import type { MessagingOutboxEvents, NotificationQueue } from './jobs/notifications.js';
import type { RateLimiter } from './limits/rate-limiter.js';
import type { MessageInserts } from './messages/insert-batcher.js';
import type { Realtime } from './realtime/realtime.js';
import type { UserDirectory } from './users/directory.js';

/**
 * What messaging's services need, assembled once in app.ts from the decorated resources and
 * passed explicitly (no module singletons), so several apps can live in one test process.
 */
export interface AppContext {
  config: Config;
  db: Kysely<Database>;
  /** The read replica when DATABASE_REPLICA_URL is set, else `db`: history pages and search read here. */
  dbRead: Kysely<Database>;
  redis: Redis;
  log: FastifyBaseLogger;
  verifyAccessToken: AccessTokenVerifier;
  auth: AuthClient;
  /** Collab's answers on documents: images uploaded into a document are seen by its readers. */
  collab: CollabClient;
  users: UserDirectory;
  realtime: Realtime;
  /** Auth's project access answers, cached ≤ 30 s and dropped by membership.changed. */
  projectAccess: ProjectAccessCache;
  /** Members' rows for the send and read checks, cached ≤ 30 s and dropped by every membership change. */
  membershipCache: MembershipCache;
  /** Sessions auth signed out before their tokens expired: refused on REST and socket handshakes. */
  revokedSessions: RevokedSessions;
  notifications: NotificationQueue;
  /** Notification jobs written with the transaction of their cause, relayed to the queue. */
  outbox: Outbox<MessagingOutboxEvents>;
  /** After a commit that wrote to the outbox: wakes the relay soon (its inserts do not NOTIFY). */
  outboxWritten: () => void;
  /** Top-level messages' inserts, grouped into one statement under load. */
  messageInserts: MessageInserts;
  storage: FileStorage;
  rateLimiter: RateLimiter;
  metrics: { messagesSent: Counter<'via'> };
}
