import type { DurableEvents, RevokedSessions } from '@flux/server-kit';
import { CollabCloseCodes } from '@flux/shared/constants';
import WebSocket from 'ws';

/** The `exp` claim (ms) of a token that was just verified, if it has one. */
export function expiryOf(token: string): number | undefined {
  try {
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp?: unknown };
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const close = (socket: WebSocket, reason: string) => {
  if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)
    socket.close(CollabCloseCodes.unauthorized, reason);
};

/**
 * The open collab sockets of each session, so that a socket lives no longer than its access token
 * (closed 4401 at `exp`: the client reconnects with a fresh token) or its session (closed 4401
 * within a second of `sessions.revoked`: the client signs out).
 */
export class SessionSockets {
  private readonly sockets = new Map<string, Set<WebSocket>>();

  constructor(readonly revoked: RevokedSessions) {}

  /** Follows revocations in this instance (after loading the earlier ones) and records them in Redis once per deployment. */
  async follow(streams: DurableEvents): Promise<void> {
    await this.revoked.follow(streams, (payload) => {
      for (const sessionId of payload.sessionIds) for (const socket of this.sockets.get(sessionId) ?? []) close(socket, 'session revoked');
    });
    await streams.consume('sessions.revoked', 'collab', ({ payload }) => this.revoked.record(payload));
  }

  /** Tracks an admitted socket until it closes; closes it when its token expires. */
  track(sessionId: string, socket: WebSocket, expiresAt: number | undefined): void {
    const set = this.sockets.get(sessionId) ?? new Set();
    set.add(socket);
    this.sockets.set(sessionId, set);
    const timer =
      expiresAt === undefined ? undefined : setTimeout(() => close(socket, 'token expired'), Math.max(0, expiresAt - Date.now()));
    timer?.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      set.delete(socket);
      if (set.size === 0 && this.sockets.get(sessionId) === set) this.sockets.delete(sessionId);
    });
  }
}
