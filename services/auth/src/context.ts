import type { AccessTokenVerifier, EventBus, Outbox, ServiceTokens } from '@flux/server-kit';
import type { DurableEventName, EventMap } from '@flux/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { BackgroundTasks } from './background.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { Mailer } from './mail/mailer.js';
import type { AuthKeys } from './security/keys.js';
import type { AuthMetrics } from './security/metrics.js';
import type { AccessTokenSigner } from './tokens/access-token.js';

/** The durable events auth writes to `auth.outbox` (relayed to the Redis streams). */
export type AuthOutboxEvents = Pick<EventMap, DurableEventName>;

/** What auth's services need, assembled once in app.ts from the decorated resources and passed explicitly (no module singletons). */
export interface AppContext {
  db: Kysely<Database>;
  redis: Redis;
  config: Config;
  events: EventBus;
  /** Durable events, written with the transaction of the change (membership changes, revoked sessions). */
  outbox: Outbox<AuthOutboxEvents>;
  log: FastifyBaseLogger;
  mailer: Mailer;
  background: BackgroundTasks;
  metrics: AuthMetrics;
  /** Per-purpose keys derived from COOKIE_SECRET (cookie signing, TOTP seeds, refresh successors). */
  keys: AuthKeys;
  signAccessToken: AccessTokenSigner;
  verifyAccessToken: AccessTokenVerifier;
  /** Signs auth's calls to the other services' `/internal/*` routes (the data export). */
  serviceTokens: ServiceTokens;
}
