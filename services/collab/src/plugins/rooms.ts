import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { liveGauge } from '../metrics.js';
import { RoomManager } from '../rooms/room-manager.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The documents loaded in this process and their sockets. */
    rooms: RoomManager;
  }
}

export const roomsPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const db: Kysely<Database> = app.db;
    const rooms = new RoomManager({
      config,
      db,
      log: app.log,
      writer: app.updateWriter,
      relay: app.roomRelay,
      compaction: app.compaction,
      metrics: app.collabMetrics,
    });
    app.updateWriter.onFlushed((batch) => rooms.onFlushed(batch));
    liveGauge(app.metrics, 'collab_rooms', 'Rooms (documents) loaded in this instance', () => rooms.rooms.size);
    liveGauge(app.metrics, 'collab_connections', 'Open WebSocket connections in rooms', () => rooms.connectionCount);
    app.decorate('rooms', rooms);
    // First of collab's resources to close: it flushes and unloads every room through the writer, relay and compaction.
    app.addHook('onClose', () => rooms.close());
  },
  {
    name: 'collab-rooms',
    fastify: '5.x',
    dependencies: ['flux-db', 'flux-metrics', 'collab-metrics', 'collab-update-writer', 'collab-relay', 'collab-compaction'],
  },
);
