import {
  type AccessTokenVerifier,
  type App,
  AuthClient,
  CollabClient,
  createAccessTokenVerifier,
  createFastify,
  fluxCore,
  fluxOutboxRelay,
  type OutboxEvent,
  createOutbox,
  remoteJwks,
  RevokedSessions,
} from '@flux/server-kit';
import { Counter } from 'prom-client';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { MembershipCache } from './conversations/membership-cache.js';
import { MessageInserts } from './messages/insert-batcher.js';
import { coalescedWake } from './jobs/outbox-wake.js';
import { ProjectAccessCache } from './conversations/project-access.js';
import type { MessagingOutboxEvents } from './jobs/notifications.js';
import { onMembershipChanged } from './conversations/service.js';
import { notificationsPlugin } from './plugins/notifications.js';
import { presencePlugin } from './plugins/presence.js';
import { rateLimiterPlugin } from './plugins/rate-limiter.js';
import { realtimePlugin } from './plugins/realtime.js';
import { storagePlugin } from './plugins/storage.js';
import { followRevocations } from './realtime/revocation.js';
import { attachSocketHandlers } from './realtime/socket.js';
import { conversationRoutes } from './routes/conversations.js';
import { fileRoutes } from './routes/files.js';
import { conversationMessageRoutes, messageRoutes } from './routes/messages.js';
import { notificationRoutes } from './routes/notifications.js';
import { notificationPreferenceRoutes } from './routes/notification-preferences.js';
import { internalRoutes } from './routes/internal.js';
import { digestPlugin } from './jobs/digest.js';
import { onUserErased } from './people/erasure.js';
import { conversationPinRoutes, messagePinRoutes } from './routes/pins.js';
import { UserDirectory } from './users/directory.js';

/** How long after a commit with notification jobs the relay runs (for all the commits meanwhile). */
const OUTBOX_WAKE_DELAY_MS = 20;

export interface BuildOptions {
  logger?: boolean;
  /** Tests may verify tokens some other way; by default auth's JWKS at `config.authUrl`. */
  verify?: AccessTokenVerifier;
}

export async function buildApp(config: Config, { logger = true, verify }: BuildOptions = {}): Promise<App> {
  const app = createFastify({ service: 'messaging', config, logger });
  await app.register(fluxCore, {
    config,
    publicHealthPath: '/api/messages/health',
    // Asked per request; before the realtime plugin is registered there are no sockets.
    health: () => ({ connections: app.hasDecorator('io') ? app.io.engine.clientsCount : 0 }),
  });
  await app.register(realtimePlugin, { config });
  await app.register(presencePlugin, { config });
  await app.register(rateLimiterPlugin, { config });
  await app.register(storagePlugin, { config });
  await app.register(notificationsPlugin, { config });
  // After the queue, so it stops first; instances take turns relaying messaging.outbox.
  await app.register(fluxOutboxRelay, {
    schema: 'messaging',
    deployment: config.redisPrefix,
    sink: (events: OutboxEvent<MessagingOutboxEvents>[]) => app.notifications.relay(events),
  });

  const auth = new AuthClient(config.authUrl, app.serviceTokens);
  const outbox = createOutbox<MessagingOutboxEvents>('messaging', config.redisPrefix);
  const outboxWritten = coalescedWake(() => app.outboxRelay.wake(), OUTBOX_WAKE_DELAY_MS);
  const ctx: AppContext = {
    config,
    db: app.db,
    dbRead: app.dbRead,
    redis: app.redis,
    log: app.log,
    verifyAccessToken: verify ?? createAccessTokenVerifier(remoteJwks(config.authUrl)),
    auth,
    collab: new CollabClient(config.collabUrl, app.serviceTokens),
    users: new UserDirectory(app.db, auth),
    realtime: app.realtime,
    revokedSessions: new RevokedSessions(app.redis, config.redisPrefix, app.log),
    projectAccess: new ProjectAccessCache(auth, config.projectAccessCacheMs),
    membershipCache: new MembershipCache(app.redis, config.redisUrl, config.redisPrefix, app.log, config.membershipCacheMs),
    outbox,
    outboxWritten,
    messageInserts: new MessageInserts(app.db, outbox, outboxWritten, config.messageBatchMax),
    notifications: app.notifications,
    storage: app.storage,
    rateLimiter: app.rateLimiter,
    metrics: {
      messagesSent: new Counter({
        name: 'messaging_messages_sent_total',
        help: 'Messages committed, by entry point',
        labelNames: ['via'] as const,
        registers: [app.metrics],
      }),
    },
  };

  attachSocketHandlers(app.io, ctx, app.presence);
  await followRevocations(app.streams, app.io, ctx.revokedSessions);

  await app.events.subscribe('user.created', (user) => ctx.users.upsert({ id: user.userId, name: user.name, email: user.email }));
  await app.events.subscribe('user.updated', (user) => ctx.users.upsert({ id: user.userId, name: user.name, email: user.email }));
  // Durable (auth's outbox → stream), handled once per messaging deployment and retried on failure.
  await app.streams.consume('membership.changed', 'messaging', (event) => onMembershipChanged(ctx, event.payload));
  // Every instance drops its cached project access and membership rows for the user at once.
  await app.streams.follow('membership.changed', ({ payload }) => {
    ctx.projectAccess.invalidate(payload.organizationId, payload.userId);
    ctx.membershipCache.forgetUser(payload.userId);
  });
  // Member removals and role changes made by the other instances.
  await ctx.membershipCache.follow();
  app.addHook('onClose', () => ctx.membershipCache.close());

  await app.register(conversationRoutes, { prefix: '/api/conversations', ctx });
  await app.register(conversationMessageRoutes, { prefix: '/api/conversations', ctx });
  await app.register(messageRoutes, { prefix: '/api/messages', ctx });
  await app.register(conversationPinRoutes, { prefix: '/api/conversations', ctx });
  await app.register(messagePinRoutes, { prefix: '/api/messages', ctx });
  await app.register(notificationRoutes, { prefix: '/api/notifications', ctx });
  await app.register(fileRoutes, { prefix: '/api/files', ctx });
  // people: notification preferences, the export's internal routes and the email digest.
  await app.register(notificationPreferenceRoutes, { prefix: '/api/notifications', ctx });
  await app.register(internalRoutes, { prefix: '/internal', ctx, serviceTokens: app.serviceTokens });
  if (config.digestJobs) await app.register(digestPlugin, { config, auth });
  await app.streams.consume('user.erased', 'messaging', (event) => onUserErased(ctx, event.payload));
  return app;
}
