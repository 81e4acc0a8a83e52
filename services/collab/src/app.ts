import websocket from '@fastify/websocket';
import { AuthClient, createAccessTokenVerifier, createServiceApp, remoteJwks, type App } from '@flux/server-kit';
import { CollabCloseCodes } from '@flux/shared';
import { ProjectAccessCache } from './access/project-access.js';
import type { Config } from './config.js';
import type { CollabContext } from './context.js';
import type { Database } from './db/database.js';
import { createCollabMetrics } from './metrics.js';
import { Compaction } from './persistence/compaction.js';
import { UpdateWriter } from './persistence/update-writer.js';
import { DocumentActivity } from './rooms/document-activity.js';
import { followMembership } from './rooms/membership.js';
import { RoomRelay } from './rooms/relay.js';
import { RoomManager } from './rooms/room-manager.js';
import { collabSocketRoutes } from './routes/collab-socket.js';
import { documentRoutes } from './routes/documents.js';

export interface BuildOptions {
  logger?: boolean;
}

export async function buildApp(config: Config, { logger = true }: BuildOptions = {}): Promise<App> {
  // Health reads the room manager, which needs the app's resources: filled in just below.
  let rooms: RoomManager | undefined;
  const {
    app,
    db,
    redis,
    metrics: registry,
    events,
    serviceTokens,
  } = await createServiceApp<Database>({
    service: 'collab',
    config,
    publicHealthPath: '/collab/health',
    logger,
    health: () => ({ connections: rooms?.connectionCount ?? 0, activeRooms: rooms?.rooms.size ?? 0 }),
  });

  let writer: UpdateWriter | undefined;
  const metrics = createCollabMetrics(registry, {
    rooms: () => rooms?.rooms.size ?? 0,
    connections: () => rooms?.connectionCount ?? 0,
    persistenceLagSeconds: () => writer?.lagSeconds() ?? 0,
    pendingUpdates: () => writer?.pendingCount ?? 0,
  });
  const activity = new DocumentActivity(db, events, app.log, config.documentEventDebounceMs);
  writer = new UpdateWriter(db, app.log, config.flushIntervalMs, metrics.flushes, (batch) => {
    rooms?.onFlushed(batch);
    activity.onFlushed(batch);
  });
  const relay = new RoomRelay(redis, config.redisUrl, config.redisPrefix, app.log);
  const compaction = new Compaction(config, db, app.log);
  rooms = new RoomManager({ config, db, log: app.log, writer, relay, compaction, metrics });
  const access = new ProjectAccessCache(new AuthClient(config.authUrl, serviceTokens), config.accessCacheMs);

  const ctx: CollabContext = {
    db,
    config,
    events,
    log: app.log,
    verifyAccessToken: createAccessTokenVerifier(remoteJwks(config.authUrl)),
    access,
    rooms,
    metrics,
  };
  await followMembership(events, access, rooms, app.log);

  // A child plugin: its onClose runs before the root's, while PostgreSQL and Redis are still open.
  const roomManager = rooms;
  const flushWriter = writer;
  await app.register(async (scope) => {
    scope.addHook('onClose', async () => {
      await roomManager.close();
      await flushWriter.close();
      await activity.close();
      await compaction.close();
      await relay.close();
    });
  });

  await app.register(websocket, {
    options: { maxPayload: config.maxMessageBytes },
    // Shutdown: tell clients to come back (1012) rather than the default bare close.
    preClose(done) {
      for (const client of app.websocketServer.clients) client.close(CollabCloseCodes.serviceRestart, 'server restarting');
      app.websocketServer.close();
      done();
    },
  });
  await app.register(collabSocketRoutes, { ctx });
  await app.register(documentRoutes, { prefix: '/api/documents', ctx });
  return app;
}
