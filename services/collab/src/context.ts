import type { AccessTokenVerifier, EventBus, Outbox } from '@flux/server-kit';
import type { EventMap } from '@flux/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { ProjectAccessCache } from './access/project-access.js';
import type { SessionSockets } from './access/sessions.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { RateLimiter } from './limits/rate-limiter.js';
import type { CollabMetrics } from './metrics.js';
import type { RoomManager } from './rooms/room-manager.js';

/** The durable events collab writes to `collab.outbox`. */
export type CollabOutboxEvents = Pick<EventMap, 'document.deleted'>;

/** What collab's routes and services need, assembled in app.ts from the decorated resources and passed explicitly. */
export interface AppContext {
  db: Kysely<Database>;
  /** The read replica when DATABASE_REPLICA_URL is set, else `db`: the document list reads here. */
  dbRead: Kysely<Database>;
  config: Config;
  events: EventBus;
  /** Durable events, written with the transaction of the change (document deletions). */
  outbox: Outbox<CollabOutboxEvents>;
  log: FastifyBaseLogger;
  verifyAccessToken: AccessTokenVerifier;
  access: ProjectAccessCache;
  /** Revoked sessions (REST and admission refuse them) and each session's open sockets. */
  sessions: SessionSockets;
  rooms: RoomManager;
  metrics: CollabMetrics;
  /** Per-minute limits on creating documents and versions and on restores (Redis, across instances). */
  limits: RateLimiter;
}
