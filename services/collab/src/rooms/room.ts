import { CollabCloseCodes } from '@flux/shared/constants';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Config } from '../config.js';
import { CloseConnection, Connection } from './connection.js';
import {
  decodeMessage,
  encodeAwarenessEntries,
  encodeAwarenessStates,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  MalformedMessage,
  type AwarenessEntry,
  type ClientMessage,
} from './protocol.js';

/** Origin of changes that came from another collab instance: shown to local clients, neither persisted nor relayed again. */
export const RELAY = Symbol('relay');
/** Origin of changes the server made itself (a version restore): persisted and relayed like a client's. */
export class ServerOrigin {
  constructor(readonly userId: string) {}
}

export interface RoomHooks {
  /** An accepted update to make durable; `userId` is its author, null when unknown. */
  persist(update: Uint8Array, userId: string | null): void;
  /** A frame for the other instances holding this room. */
  relay(frame: Uint8Array): void;
  /** Counts for metrics. */
  accepted(): void;
  refused(reason: 'read_only' | 'foreign_awareness' | 'awareness_limit'): void;
}

export type RoomLimits = Pick<
  Config,
  'maxDocumentBytes' | 'maxPendingBytes' | 'maxAwarenessIdsPerConnection' | 'maxAwarenessStatesPerRoom' | 'maxAwarenessStateBytes'
>;

/**
 * One loaded document: the Yjs doc, its awareness and the local sockets. Fan-out: a change
 * reaches every local socket but its sender, and the other instances through the relay;
 * awareness is echoed to the sender too, which keeps idle y-websocket clients from timing out.
 */
export class Room {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly connections = new Set<Connection>();
  /** Holders (sockets and server operations); the room may unload only at zero. */
  holders = 0;
  unloadTimer: NodeJS.Timeout | undefined;
  /**
   * Bytes of state loaded plus every update received since (what clients sent, not only what
   * integrated: pending structs take memory too); a cheap upper bound of the document size.
   */
  size = 0;
  /** When a socket or server operation last used the room; the room manager unloads the least recent first. */
  lastUsed = Date.now();
  /** Logged updates not yet folded into the snapshot, to decide when to compact. */
  uncompacted = 0;
  /** Whether another instance holds this room too (its changes are relayed only then). */
  shared = false;
  private destroyed = false;
  private relayedSyncWaiters: Array<() => void> = [];

  constructor(
    readonly documentId: string,
    readonly projectId: string,
    private readonly hooks: RoomHooks,
    private readonly limits: RoomLimits,
  ) {
    // The server is no participant: no awareness state of its own.
    this.awareness.setLocalState(null);
  }

  /** Applies the stored state, then starts fanning out and persisting changes. */
  load(updates: Uint8Array[], uncompacted: number): void {
    Y.transact(this.doc, () => {
      for (const update of updates) Y.applyUpdate(this.doc, update);
    });
    this.size = updates.reduce((sum, u) => sum + u.length, 0);
    this.uncompacted = uncompacted;
    this.doc.on('update', (update: Uint8Array, origin: unknown) => this.onUpdate(update, origin));
    this.awareness.on('update', (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) =>
      this.onAwareness(changes, origin),
    );
  }

  private onUpdate(update: Uint8Array, origin: unknown): void {
    // A client's bytes were counted as they arrived.
    if (!(origin instanceof Connection)) this.size += update.length;
    const frame = encodeUpdate(update);
    for (const connection of this.connections) if (connection !== origin) connection.send(frame);
    if (origin === RELAY) return;
    this.hooks.accepted();
    this.hooks.persist(update, origin instanceof Connection ? origin.userId : origin instanceof ServerOrigin ? origin.userId : null);
    this.hooks.relay(frame);
  }

  private onAwareness({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void {
    if (origin instanceof Connection) {
      // An id belongs to the socket that last changed it (the same user's reconnect takes it over).
      for (const id of [...added, ...updated]) {
        this.ownerOf(id)?.awarenessIds.delete(id);
        origin.awarenessIds.add(id);
      }
    }
    // Removed however (by its socket, on leaving, or timed out): the id no longer counts against anyone's cap.
    for (const id of removed) this.ownerOf(id)?.awarenessIds.delete(id);
    const frame = encodeAwarenessStates(this.awareness, [...added, ...updated, ...removed]);
    for (const connection of this.connections) connection.send(frame);
    if (origin !== RELAY) this.hooks.relay(frame);
  }

  /** Greets a new socket the way the reference server does: our state vector, then who is here. */
  add(connection: Connection): void {
    this.connections.add(connection);
    connection.send(encodeSyncStep1(this.doc));
    if (this.awareness.getStates().size > 0) connection.send(encodeAwarenessStates(this.awareness));
  }

  remove(connection: Connection): void {
    if (!this.connections.delete(connection) || this.destroyed) return;
    if (connection.awarenessIds.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...connection.awarenessIds], null);
  }

  /** Handles one frame from a local socket; throws CloseConnection when that socket must go. */
  receive(connection: Connection, frame: Uint8Array): void {
    let message: ClientMessage;
    try {
      message = decodeMessage(frame);
    } catch (err) {
      if (err instanceof MalformedMessage) throw new CloseConnection(CollabCloseCodes.malformedMessage, 'malformed message');
      throw err;
    }
    this.lastUsed = Date.now();
    switch (message.type) {
      case 'sync-step-1':
        // Each answer can be the whole document: a client asks once per connection (and on its resync interval).
        if (!connection.syncLimiter.take()) throw new CloseConnection(CollabCloseCodes.rateLimited, 'too many sync requests');
        connection.send(encodeSyncStep2(this.doc, message.stateVector));
        return;
      case 'sync-step-2':
      case 'update':
        if (connection.readOnly) {
          this.hooks.refused('read_only');
          return;
        }
        if (!connection.limiter.take()) throw new CloseConnection(CollabCloseCodes.rateLimited, 'too many updates');
        if (this.size + message.update.length > this.limits.maxDocumentBytes) {
          // `size` only grows (deletions and duplicates add bytes too); measure for real before refusing.
          // The encoded state includes pending structs, so bytes that never integrate count as well.
          this.size = Y.encodeStateAsUpdate(this.doc).length;
          if (this.size + message.update.length > this.limits.maxDocumentBytes)
            throw new CloseConnection(CollabCloseCodes.documentTooLarge, 'document too large');
        }
        this.size += message.update.length;
        this.applyUpdate(message.update, connection);
        return;
      case 'awareness': {
        if (!connection.limiter.take()) throw new CloseConnection(CollabCloseCodes.rateLimited, 'too many messages');
        // A stock client's message holds its own state or echoes what it heard (at most the room's states).
        const { maxAwarenessStatesPerRoom, maxAwarenessIdsPerConnection, maxAwarenessStateBytes } = this.limits;
        if (
          message.entries.length > maxAwarenessStatesPerRoom + maxAwarenessIdsPerConnection ||
          message.entries.some((entry) => Buffer.byteLength(entry.state) > maxAwarenessStateBytes)
        )
          throw new CloseConnection(CollabCloseCodes.awarenessTooLarge, 'awareness message too large');
        const accepted = this.acceptedAwareness(connection, message.entries);
        if (accepted.length === 0) return;
        try {
          awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(accepted), connection);
        } catch {
          throw new CloseConnection(CollabCloseCodes.malformedMessage, 'malformed awareness update');
        }
        return;
      }
      case 'query-awareness':
        if (!connection.syncLimiter.take()) throw new CloseConnection(CollabCloseCodes.rateLimited, 'too many awareness queries');
        connection.send(encodeAwarenessStates(this.awareness));
        return;
      case 'auth':
        return;
    }
  }

  /**
   * The entries of a socket's awareness message the room applies. Stock clients echo every change
   * they hear back to the server; echoes change nothing and are left out. A change is kept when the
   * socket owns the id (the first it announces is its own), or claims a free one within the caps
   * (ids per connection, states per room); the same user's older socket hands its ids over (a
   * reconnect). Another user's cursor, and a free id's removal, are never changed.
   */
  private acceptedAwareness(connection: Connection, entries: AwarenessEntry[]): AwarenessEntry[] {
    const accepted: AwarenessEntry[] = [];
    let owned = connection.awarenessIds.size;
    let states = this.awareness.states.size;
    for (const entry of entries) {
      const { clientId, clock, removes } = entry;
      const known = this.awareness.states.has(clientId);
      // The rule applyAwarenessUpdate applies: a newer clock, or a removal at the same clock.
      const current = this.awareness.meta.get(clientId)?.clock ?? 0;
      if (!(clock > current || (clock === current && removes && known))) continue;
      if (!connection.awarenessIds.has(clientId)) {
        const owner = this.ownerOf(clientId);
        if (owner ? owner.userId !== connection.userId : removes) {
          this.hooks.refused('foreign_awareness');
          continue;
        }
        if (!removes) {
          if (owned >= this.limits.maxAwarenessIdsPerConnection || (!known && states >= this.limits.maxAwarenessStatesPerRoom)) {
            this.hooks.refused('awareness_limit');
            continue;
          }
          owned++;
          if (!known) states++;
        }
      }
      accepted.push(entry);
    }
    return accepted;
  }

  private ownerOf(awarenessId: number): Connection | undefined {
    for (const connection of this.connections) if (connection.awarenessIds.has(awarenessId)) return connection;
    return undefined;
  }

  private applyUpdate(update: Uint8Array, origin: Connection): void {
    try {
      Y.applyUpdate(this.doc, update, origin);
    } catch {
      throw new CloseConnection(CollabCloseCodes.malformedMessage, 'malformed update');
    }
    // Structs whose predecessors the doc lacks wait in `pendingStructs` (deletes of unknown items in
    // `pendingDs`): never emitted, so never persisted or size-checked, merged again with every later
    // update, and sent whole to each new client. A little is normal (a client that missed an update
    // sends it next); beyond the bound they are dropped (what did integrate stays: it was valid and
    // is already fanned out and persisted) and the socket closed.
    const { pendingStructs, pendingDs } = this.doc.store;
    if ((pendingStructs?.update.length ?? 0) + (pendingDs?.length ?? 0) > this.limits.maxPendingBytes) {
      this.doc.store.pendingStructs = null;
      this.doc.store.pendingDs = null;
      throw new CloseConnection(CollabCloseCodes.incompleteUpdate, 'update depends on structs the document lacks');
    }
  }

  /** A change made by the server on a user's behalf (version restore): fanned out, persisted and relayed. */
  applyServerUpdate(update: Uint8Array, userId: string): void {
    this.lastUsed = Date.now();
    Y.applyUpdate(this.doc, update, new ServerOrigin(userId));
  }

  /**
   * A frame from another instance holding this room. Returns replies for the relay: an instance
   * that just loaded the room asks with sync step 1 and gets our state and our clients' awareness.
   */
  receiveRelayed(frame: Uint8Array): Uint8Array[] {
    const message = decodeMessage(frame);
    switch (message.type) {
      case 'sync-step-1': {
        const local = [...this.connections].flatMap((c) => [...c.awarenessIds]);
        const replies = [encodeSyncStep2(this.doc, message.stateVector)];
        if (local.length > 0) replies.push(encodeAwarenessStates(this.awareness, local));
        return replies;
      }
      case 'sync-step-2':
        Y.applyUpdate(this.doc, message.update, RELAY);
        for (const resolve of this.relayedSyncWaiters.splice(0)) resolve();
        return [];
      case 'update':
        Y.applyUpdate(this.doc, message.update, RELAY);
        return [];
      case 'awareness':
        awarenessProtocol.applyAwarenessUpdate(this.awareness, message.update, RELAY);
        return [];
      default:
        return [];
    }
  }

  /** Resolves at the next sync step 2 from another instance, or after `ms`. */
  nextRelayedSync(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.relayedSyncWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Asks the other instances for what they have that we do not (after loading, then periodically). */
  syncRequest(): Uint8Array {
    return encodeSyncStep1(this.doc);
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.unloadTimer);
    for (const resolve of this.relayedSyncWaiters.splice(0)) resolve();
    this.awareness.destroy();
    this.doc.destroy();
  }
}
