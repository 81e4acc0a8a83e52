import { type CollabCloseCode, CollabCloseCodes, type Role } from '@flux/shared/constants';
import WebSocket from 'ws';
import type { Config } from '../config.js';
import { type Actor, can, type DocumentResource } from '../policies.js';
import { TokenBucket } from './rate-limit.js';

const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Closes a connection with a code; thrown by message handling, caught by the socket route. */
export class CloseConnection extends Error {
  constructor(
    readonly code: CollabCloseCode,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** One client socket in a room, with what authorisation decided about it. */
export class Connection {
  /** Awareness client ids this socket announced, removed from the room when it leaves. */
  readonly awarenessIds = new Set<number>();
  readonly limiter: TokenBucket;
  /** Sync step 1 and query-awareness: each answered with up to the whole document or every cursor. */
  readonly syncLimiter: TokenBucket;
  /** Cleared on each ping, set by the pong; still false at the next ping means the peer is gone. */
  alive = true;
  /** Which slice of the ping interval pings this socket (set by the room manager). */
  pingSlice = 0;
  private actor: Actor;

  constructor(
    readonly socket: WebSocket,
    readonly userId: string,
    /** From auth's access answer, so `membership.changed` for that organization finds this socket. */
    readonly organizationId: string,
    role: Role | null,
    private readonly document: DocumentResource,
    limits: Pick<Config, 'updatesPerSecond' | 'updateBurst' | 'syncRequestsPerMinute' | 'syncRequestBurst'>,
  ) {
    this.actor = { id: userId, role };
    this.limiter = new TokenBucket(limits.updatesPerSecond, limits.updateBurst);
    this.syncLimiter = new TokenBucket(limits.syncRequestsPerMinute / 60, limits.syncRequestBurst);
  }

  get readOnly(): boolean {
    return !can(this.actor, 'document.edit', this.document);
  }

  /** Whether the socket may stay at all (a removed member may not). */
  get mayRead(): boolean {
    return can(this.actor, 'document.read', this.document);
  }

  /** A membership change: the socket is re-decided at once, with no reconnect. */
  setRole(role: Role | null): void {
    this.actor = { id: this.userId, role };
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(frame: Uint8Array): void {
    if (!this.open) return;
    // A client that stops reading must not make us buffer without bound; it resyncs when it reconnects.
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.socket.close(CollabCloseCodes.tryAgainLater, 'too slow');
      return;
    }
    // No callback: a failed write errors the socket, which ws then destroys (one closure fewer per receiver).
    this.socket.send(frame);
  }

  close(code: CollabCloseCode, reason: string): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(code, reason);
  }
}
