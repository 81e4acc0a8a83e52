import { createRedis, instrumentSocketServer } from '@flux/server-kit';
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from '@flux/shared';
import { Server } from 'socket.io';
import type { Config } from '../config.js';
import { createLocalFirstAdapter } from '../realtime/adapter.js';
import { type MessagingServer, Realtime } from '../realtime/realtime.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Socket.IO server on this app's HTTP server. */
    io: MessagingServer;
    /** Fan-out to sockets on every instance. */
    realtime: Realtime;
  }
}

/**
 * Socket.IO on the app's HTTP server, with the streams adapter carrying broadcasts between
 * instances (it resumes from its stream offset after a Redis blip instead of losing messages),
 * local sockets served first.
 */
export const realtimePlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    // No retry limit: during a Redis outage broadcasts to other instances wait in the offline queue
    // and go out, in order, when it is back — late rather than lost. This instance's own sockets
    // get them at once (realtime/adapter.ts). Acks never wait: they depend on PostgreSQL only.
    const adapterRedis = createRedis(config.redisUrl, app.log, 'socket.io-adapter', { maxRetriesPerRequest: null });
    const io: MessagingServer = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(app.server, {
      path: '/socket.io/',
      transports: ['websocket'],
      serveClient: false,
      // Memory per connection (the Socket.IO memory guide): no per-message deflate, whose zlib
      // contexts would cost each socket hundreds of KB. Explicit, though it is the default.
      perMessageDeflate: false,
      adapter: createLocalFirstAdapter(adapterRedis, {
        streamName: `${config.redisPrefix}socket.io`,
        channelPrefix: `${config.redisPrefix}socket.io`,
        sessionKeyPrefix: `${config.redisPrefix}socket.io:session:`,
        // Also bounds how long a closing instance waits for its blocking read.
        blockTimeInMs: 1000,
      }),
    });
    // Counts and times every client event by name and outcome, and reports the rooms.
    instrumentSocketServer(io, app.metrics);
    app.decorate('io', io);
    app.decorate('realtime', new Realtime(io));

    new Gauge({
      name: 'messaging_socket_connections',
      help: 'Socket.IO connections open on this instance',
      registers: [app.metrics],
      collect() {
        this.set(io.engine.clientsCount);
      },
    });

    // Sockets go first: an upgraded WebSocket would keep the HTTP server from closing. Closing the
    // transports (not socket.disconnect()) lets clients see "transport close" and reconnect to
    // another instance; a server-side disconnect would tell them not to. Only this instance's.
    app.addHook('preClose', async () => {
      io.engine.close();
    });
    app.addHook('onClose', async () => {
      await io.of('/').adapter.close();
      // Not quit(): with Redis down it would wait for the offline queue forever.
      adapterRedis.disconnect();
    });
  },
  { name: 'messaging-realtime', dependencies: ['flux-metrics'] },
);
