import {
  type App,
  createAccessTokenVerifier,
  createFastify,
  createOutbox,
  fluxCore,
  fluxOutboxRelay,
  type OutboxEvent,
  remoteJwks,
} from '@flux/server-kit';
import type { Config } from './config.js';
import type { AppContext, CollabOutboxEvents } from './context.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { compactionPlugin } from './plugins/compaction.js';
import { trashPlugin } from './plugins/trash.js';
import { documentActivityPlugin } from './plugins/document-activity.js';
import { membershipPlugin } from './plugins/membership.js';
import { collabMetricsPlugin } from './plugins/metrics.js';
import { projectAccessPlugin } from './plugins/project-access.js';
import { roomRelayPlugin } from './plugins/relay.js';
import { roomsPlugin } from './plugins/rooms.js';
import { sessionsPlugin } from './plugins/sessions.js';
import { updateWriterPlugin } from './plugins/update-writer.js';
import { websocketPlugin } from './plugins/websocket.js';
import { collabSocketRoutes } from './routes/collab-socket.js';
import { commentRoutes } from './routes/comments.js';
import { internalRoutes } from './routes/internal.js';
import { onUserErased } from './people/erasure.js';
import { documentRoutes } from './routes/documents.js';
import { versionRoutes } from './routes/versions.js';

export interface BuildOptions {
  logger?: boolean;
}

/**
 * Plugins in dependency order; fastify closes them in reverse, so the rooms flush through the
 * writer, relay and compaction before those close, and all of them before PostgreSQL and Redis.
 */
export async function buildApp(config: Config, { logger = true }: BuildOptions = {}): Promise<App> {
  const app = createFastify({ service: 'collab', config, logger });
  await app.register(fluxCore, {
    config,
    publicHealthPath: '/collab/health',
    // Read per request, by which time the rooms plugin below has decorated the app.
    health: () => ({ connections: app.rooms.connectionCount, activeRooms: app.rooms.rooms.size }),
  });

  await app.register(collabMetricsPlugin);
  await app.register(documentActivityPlugin, { config });
  await app.register(roomRelayPlugin, { config });
  await app.register(compactionPlugin, { config });
  await app.register(trashPlugin, { config });
  await app.register(updateWriterPlugin, { config });
  await app.register(roomsPlugin, { config });
  await app.register(projectAccessPlugin, { config });
  await app.register(membershipPlugin);
  await app.register(sessionsPlugin, { config });
  // Every instance runs a relay of collab.outbox (they take turns) and closes its rooms of deleted documents.
  await app.register(fluxOutboxRelay, {
    schema: 'collab',
    deployment: config.redisPrefix,
    sink: (events: OutboxEvent<CollabOutboxEvents>[]) => app.streams.append(events),
  });
  await app.streams.follow('document.deleted', ({ payload }) => app.rooms.closeLocal(payload.documentId));
  await app.register(websocketPlugin, { config });

  const ctx: AppContext = {
    db: app.db,
    dbRead: app.dbRead,
    config,
    events: app.events,
    outbox: createOutbox<CollabOutboxEvents>('collab', config.redisPrefix),
    log: app.log,
    verifyAccessToken: createAccessTokenVerifier(remoteJwks(config.authUrl)),
    access: app.projectAccess,
    sessions: app.sessionSockets,
    rooms: app.rooms,
    metrics: app.collabMetrics,
    limits: new RateLimiter(app.redis, config),
  };
  await app.register(collabSocketRoutes, { prefix: '/collab', ctx });
  await app.register(documentRoutes, { prefix: '/api/documents', ctx });
  await app.register(versionRoutes, { prefix: '/api/documents/:id/versions', ctx });
  await app.register(commentRoutes, { prefix: '/api/documents/:id/comments', ctx });
  // people: auth's data export.
  await app.register(internalRoutes, { prefix: '/internal', ctx, serviceTokens: app.serviceTokens });
  await app.streams.consume('user.erased', 'collab', (event) => onUserErased(app.db, event.payload));
  return app;
}
