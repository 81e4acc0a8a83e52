import type { Role } from '@flux/shared';
import { canWrite, CollabCloseCodes } from '@flux/shared';
import WebSocket from 'ws';
import { TokenBucket } from './rate-limit.js';

const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Closes a connection with a code; thrown by message handling, caught by the socket route. */
export class CloseConnection extends Error {
  constructor(
    readonly code: number,
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
  /** Cleared on each ping, set by the pong; still false at the next ping means the peer is gone. */
  alive = true;
  private role: Role;

  constructor(
    readonly socket: WebSocket,
    readonly userId: string,
    /** From auth's access answer, so `membership.changed` for that organization finds this socket. */
    readonly organizationId: string,
    role: Role,
    limits: { updatesPerSecond: number; updateBurst: number },
  ) {
    this.role = role;
    this.limiter = new TokenBucket(limits.updatesPerSecond, limits.updateBurst);
  }

  get readOnly(): boolean {
    return !canWrite(this.role);
  }

  setRole(role: Role): void {
    this.role = role;
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
    this.socket.send(frame, (err) => {
      if (err) this.socket.terminate();
    });
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(code, reason);
  }
}
