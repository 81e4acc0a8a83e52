import {
  AuthClient,
  createAccessTokenVerifier,
  createRedis,
  createServiceApp,
  remoteJwks,
  type AccessTokenVerifier,
  type App,
} from '@flux/server-kit';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Counter, Gauge } from 'prom-client';
import { Server } from 'socket.io';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { onMembershipChanged } from './conversations/service.js';
import type { Database } from './db/database.js';
import { LocalFileStorage } from './files/storage.js';
import { NotificationProcessor, NotificationQueue } from './jobs/notifications.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { Presence } from './realtime/presence.js';
import { Realtime } from './realtime/realtime.js';
import { attachSocketHandlers } from './realtime/socket.js';
import { conversationRoutes } from './routes/conversations.js';
import { fileRoutes } from './routes/files.js';
import { messageRoutes } from './routes/messages.js';
import { notificationRoutes } from './routes/notifications.js';
import { UserDirectory } from './users/directory.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Socket.IO server on this app's HTTP server. */
    io: Server;
  }
}

export interface BuildOptions {
  logger?: boolean;
  /** Tests may verify tokens some other way; by default auth's JWKS at `config.authUrl`. */
  verify?: AccessTokenVerifier;
}

export async function buildApp(config: Config, { logger = true, verify }: BuildOptions = {}): Promise<App> {
  let io: Server | undefined;
  const { app, db, redis, metrics, events, serviceTokens } = await createServiceApp<Database>({
    service: 'messaging',
    config,
    publicHealthPath: '/api/messages/health',
    logger,
    health: () => ({ connections: io?.engine.clientsCount ?? 0 }),
  });
  verify ??= createAccessTokenVerifier(remoteJwks(config.authUrl));

  // Socket.IO shares the HTTP server; the streams adapter carries broadcasts between instances
  // and resumes from its stream offset after a Redis blip instead of losing messages.
  // No retry limit: during a Redis outage broadcasts wait in the offline queue and go out, in
  // order, when it is back — late rather than lost (the adapter publishes before it delivers
  // locally, so local sockets wait too). Acks never wait: they depend on PostgreSQL only.
  const adapterRedis = createRedis(config.redisUrl, app.log, 'socket.io-adapter', { maxRetriesPerRequest: null });
  io = new Server(app.server, {
    path: '/socket.io/',
    transports: ['websocket'],
    serveClient: false,
    adapter: createAdapter(adapterRedis, {
      streamName: `${config.redisPrefix}socket.io`,
      channelPrefix: `${config.redisPrefix}socket.io`,
      sessionKeyPrefix: `${config.redisPrefix}socket.io:session:`,
      // Also bounds how long a closing instance waits for its blocking read.
      blockTimeInMs: 1000,
    }),
  });

  app.decorate('io', io);
  const realtime = new Realtime(io);
  const notifications = new NotificationQueue(config, app.log, new NotificationProcessor(db, realtime));
  const auth = new AuthClient(config.authUrl, serviceTokens);
  const ctx: Context = {
    config,
    db,
    redis,
    log: app.log,
    auth,
    users: new UserDirectory(db, auth),
    realtime,
    notifications,
    storage: new LocalFileStorage(config.filesDir),
    rateLimiter: new RateLimiter(redis, config.redisPrefix, app.log),
    metrics: {
      messagesSent: new Counter({
        name: 'messaging_messages_sent_total',
        help: 'Messages committed, by entry point',
        labelNames: ['via'] as const,
        registers: [metrics],
      }),
    },
  };

  const stopHeartbeat = attachSocketHandlers(io, ctx, verify, new Presence(redis, config.redisPrefix, config.presenceTtlSeconds));
  notifications.startWorker();

  await events.subscribe('user.created', (user) => ctx.users.upsert({ id: user.userId, name: user.name, email: user.email }));
  await events.subscribe('user.updated', (user) => ctx.users.upsert({ id: user.userId, name: user.name, email: user.email }));
  await events.subscribe('membership.changed', (change) => onMembershipChanged(ctx, change));

  new Gauge({
    name: 'messaging_socket_connections',
    help: 'Socket.IO connections open on this instance',
    registers: [metrics],
    collect() {
      this.set(io?.engine.clientsCount ?? 0);
    },
  });

  await app.register(conversationRoutes, { ctx, verify });
  await app.register(messageRoutes, { ctx, verify });
  await app.register(notificationRoutes, { ctx, verify });
  await app.register(fileRoutes, { ctx, verify });

  // Sockets go first: an upgraded WebSocket would keep the HTTP server from closing. Closing the
  // transports (not socket.disconnect()) lets clients see "transport close" and reconnect to
  // another instance; a server-side disconnect would tell them not to. Only this instance's.
  app.addHook('preClose', async () => {
    stopHeartbeat();
    io?.engine.close();
  });
  app.addHook('onClose', async () => {
    await io?.of('/').adapter.close();
    await notifications.close();
    // Not quit(): with Redis down it would wait for the offline queue forever.
    adapterRedis.disconnect();
  });
  return app;
}
