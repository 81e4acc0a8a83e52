import { AppError } from '@flux/shared';
import { CollabCloseCodes, type Role } from '@flux/shared/constants';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { CollabMetrics } from '../metrics.js';
import type { Compaction } from '../jobs/compaction.js';
import { loadState } from '../persistence/repository.js';
import type { FlushedBatch, UpdateWriter } from '../persistence/update-writer.js';
import { CloseConnection, type Connection } from './connection.js';
import { migrateLegacyText } from './legacy-text.js';
import type { RoomRelay } from './relay.js';
import { Room } from './room.js';

const RELAY_SYNC_WAIT_MS = 250;
/**
 * Each socket is pinged once per COLLAB_PING_INTERVAL_MS, in one of this many slices of it: pinging
 * every socket at once was a periodic burst (a write per socket, and their pongs back through nginx)
 * that the edits arriving behind it waited out.
 */
const PING_SLICES = 20;
/** Relay-only control frame (never valid from a client): the document was deleted, close its room everywhere. */
const ROOM_CLOSED = 0x7f;

interface Deps {
  config: Config;
  db: Kysely<Database>;
  log: FastifyBaseLogger;
  writer: UpdateWriter;
  relay: RoomRelay;
  compaction: Compaction;
  metrics: CollabMetrics;
}

/**
 * Loads a room on first use, shares it between its holders (sockets and server operations) and
 * unloads it a short while after the last one leaves: its updates flushed, the relay left and
 * the doc destroyed so its memory is freed. A reload waits for a pending unload to finish, so it
 * always reads what the previous incarnation wrote.
 */
export class RoomManager {
  readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly unloading = new Map<string, Promise<void>>();
  /** Open connections per user in this instance (COLLAB_MAX_CONNECTIONS_PER_USER). */
  private readonly userConnections = new Map<string, number>();
  private readonly pinger: NodeJS.Timeout;
  /** The slice pinged at the next tick, and the one the next socket joins (round robin, so slices stay even). */
  private pingSlice = 0;
  private nextPingSlice = 0;
  private readonly antiEntropy: NodeJS.Timeout;

  constructor(private readonly deps: Deps) {
    this.pinger = setInterval(() => this.ping(), deps.config.pingIntervalMs / PING_SLICES).unref();
    // Pub/sub drops messages while Redis reconnects; a periodic sync request between instances
    // holding the same room repairs any gap (answers carry only what the asker lacks).
    this.antiEntropy = setInterval(() => {
      for (const room of this.rooms.values()) void this.publish(room, room.syncRequest());
    }, deps.config.relaySyncIntervalMs).unref();
  }

  get connectionCount(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.connections.size;
    return n;
  }

  /** Refuses (4429) a user who already holds the most connections this instance accepts from one user. */
  assertMayConnect(userId: string): void {
    if ((this.userConnections.get(userId) ?? 0) >= this.deps.config.maxConnectionsPerUser)
      throw new CloseConnection(CollabCloseCodes.tooManyConnections, 'too many connections');
  }

  /** A socket admitted to its room: counted for its user (checked again, admissions run concurrently), then greeted. */
  connect(room: Room, connection: Connection): void {
    this.assertMayConnect(connection.userId);
    this.userConnections.set(connection.userId, (this.userConnections.get(connection.userId) ?? 0) + 1);
    connection.pingSlice = this.nextPingSlice;
    this.nextPingSlice = (this.nextPingSlice + 1) % PING_SLICES;
    room.add(connection);
  }

  /** A connected socket closed: uncounted, its awareness removed, its hold on the room released. */
  disconnect(room: Room, connection: Connection): void {
    const left = (this.userConnections.get(connection.userId) ?? 1) - 1;
    if (left > 0) this.userConnections.set(connection.userId, left);
    else this.userConnections.delete(connection.userId);
    room.remove(connection);
    this.release(room);
  }

  async acquire(documentId: string, projectId: string): Promise<Room> {
    let room = this.rooms.get(documentId);
    if (!room) {
      let loading = this.loading.get(documentId);
      if (!loading) {
        this.makeSpace();
        loading = this.load(documentId, projectId).finally(() => this.loading.delete(documentId));
        this.loading.set(documentId, loading);
      }
      room = await loading;
    }
    room.holders++;
    room.lastUsed = Date.now();
    clearTimeout(room.unloadTimer);
    room.unloadTimer = undefined;
    return room;
  }

  /**
   * At COLLAB_MAX_ROOMS, unloads the least recently used idle room (one waiting out its unload
   * delay) to make space for one more, its accepted updates flushed before its doc is destroyed.
   * Held rooms stay: evicting one would send its clients to reconnect and evict the next, so with
   * every room held the new one is refused (a socket closes with 1011 and retries, REST answers 503).
   */
  private makeSpace(): void {
    if (this.rooms.size + this.loading.size < this.deps.config.maxRooms) return;
    let victim: Room | undefined;
    for (const room of this.rooms.values()) if (room.holders === 0 && (!victim || room.lastUsed < victim.lastUsed)) victim = room;
    if (!victim)
      throw new AppError('service_unavailable', 503, 'Too many documents are open here; try again shortly.', undefined, {
        'retry-after': '5',
      });
    void this.unload(victim);
  }

  release(room: Room): void {
    room.holders--;
    room.lastUsed = Date.now();
    if (room.holders > 0 || this.rooms.get(room.documentId) !== room) return;
    clearTimeout(room.unloadTimer);
    room.unloadTimer = setTimeout(() => void this.unload(room), this.deps.config.roomUnloadDelayMs);
  }

  private async load(documentId: string, projectId: string): Promise<Room> {
    await this.unloading.get(documentId);
    const { config, db, relay, writer, metrics } = this.deps;
    const started = performance.now();
    const room = new Room(
      documentId,
      projectId,
      {
        persist: (update, userId) => writer.enqueue(documentId, projectId, update, userId),
        // Alone with the room (nginx sends a document's sockets to one instance), nothing is published:
        // an instance that loads it later asks with sync step 1, whose answer carries what it missed.
        relay: (frame) => {
          if (room.shared) void this.publish(room, frame);
        },
        accepted: () => metrics.updates.inc(),
        refused: (reason) => metrics.refused.inc({ reason }),
      },
      config,
    );
    // Relayed frames that arrive while the state loads are applied after it, in order.
    let early: Uint8Array[] | undefined = [];
    const onRelayed = (frame: Uint8Array) => {
      if (frame[0] === ROOM_CLOSED) return void this.closeLocal(documentId);
      room.shared = true;
      if (early) early.push(frame.slice());
      else for (const reply of room.receiveRelayed(frame)) void this.publish(room, reply);
    };
    // Subscribe before reading, so nothing another instance sends in between is missed.
    await relay.join(documentId, onRelayed);
    try {
      const stored = await loadState(db, documentId);
      room.load(stored.updates, stored.pendingCount);
      // Plain-text documents from before rich text open in the rich-text editor without loss.
      migrateLegacyText(room.doc, documentId);
    } catch (err) {
      await relay.leave(documentId);
      room.destroy();
      throw err;
    }
    const queued = early;
    early = undefined;
    for (const frame of queued) onRelayed(frame);
    this.rooms.set(documentId, room);
    // Another instance may hold this room with edits not yet in PostgreSQL (< 1 s old): when one
    // answers the subscription count, wait briefly for its reply so our first client sees them.
    const answered = room.nextRelayedSync(RELAY_SYNC_WAIT_MS);
    if ((await this.publish(room, room.syncRequest())) > 1) await answered;
    metrics.roomLoad.observe((performance.now() - started) / 1000);
    return room;
  }

  /** Publishes a room's frame to the other instances; the subscriber count says whether any still hold it (0: Redis failed, unknown). */
  private async publish(room: Room, frame: Uint8Array): Promise<number> {
    const subscribers = await this.deps.relay.publish(room.documentId, frame);
    if (subscribers > 0) room.shared = subscribers > 1;
    return subscribers;
  }

  private unload(room: Room): Promise<void> {
    if (room.holders > 0 || this.rooms.get(room.documentId) !== room) return Promise.resolve();
    this.rooms.delete(room.documentId);
    const done = (async () => {
      try {
        await this.deps.writer.flush();
        await this.deps.relay.leave(room.documentId);
        if (room.uncompacted > 0) await this.deps.compaction.request(room.documentId);
      } finally {
        room.destroy();
        this.unloading.delete(room.documentId);
      }
    })();
    this.unloading.set(room.documentId, done);
    return done;
  }

  /** The document is gone: close its sockets (4403) here and on every other instance, drop its room without saving. */
  async closeDocument(documentId: string): Promise<void> {
    await this.deps.relay.publish(documentId, Uint8Array.of(ROOM_CLOSED));
    this.closeLocal(documentId);
  }

  /** Closes this instance's room of a deleted document (from the relay, or the `document.deleted` stream). */
  closeLocal(documentId: string): void {
    const room = this.rooms.get(documentId);
    if (!room) return;
    this.rooms.delete(documentId);
    for (const connection of room.connections) connection.close(CollabCloseCodes.forbidden, 'document deleted');
    void this.deps.relay.leave(documentId);
    room.destroy();
  }

  /** Called after each batch is durable: rooms past the threshold get a background compaction. */
  onFlushed(batch: FlushedBatch): void {
    for (const [documentId, { count }] of batch) {
      const room = this.rooms.get(documentId);
      if (!room) continue;
      room.uncompacted += count;
      if (room.uncompacted >= this.deps.config.compactionThreshold) {
        room.uncompacted = 0;
        void this.deps.compaction.request(documentId);
      }
    }
  }

  /** Applies a membership change to open sockets at once: removed → closed, downgraded → read-only. */
  applyMembership(organizationId: string, userId: string, role: Role | null): number {
    let touched = 0;
    for (const room of this.rooms.values()) {
      for (const connection of room.connections) {
        if (connection.userId !== userId || connection.organizationId !== organizationId) continue;
        touched++;
        connection.setRole(role);
        if (!connection.mayRead) connection.close(CollabCloseCodes.forbidden, 'access revoked');
      }
    }
    return touched;
  }

  /** One slice's sockets: pinged, or dropped when they missed the previous ping's pong. */
  private ping(): void {
    const slice = this.pingSlice;
    this.pingSlice = (slice + 1) % PING_SLICES;
    for (const room of this.rooms.values()) {
      for (const connection of room.connections) {
        if (connection.pingSlice !== slice) continue;
        if (!connection.alive) {
          connection.socket.terminate();
          continue;
        }
        connection.alive = false;
        connection.socket.ping();
      }
    }
  }

  /** Shutdown: every socket told to reconnect (1012), then every room flushed and unloaded. */
  async close(): Promise<void> {
    clearInterval(this.pinger);
    clearInterval(this.antiEntropy);
    await Promise.allSettled(this.loading.values());
    for (const room of this.rooms.values()) {
      for (const connection of room.connections) connection.close(CollabCloseCodes.serviceRestart, 'server restarting');
    }
    await Promise.allSettled(
      [...this.rooms.values()].map((room) => {
        room.holders = 0;
        return this.unload(room);
      }),
    );
    await Promise.allSettled(this.unloading.values());
  }
}
