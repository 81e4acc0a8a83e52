import type { DurableEvents, RevokedSessions } from '@flux/server-kit';
import type { MessagingServer } from './realtime.js';

/** Every socket joins the room of its session, so a revocation finds them all. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/**
 * Signed-out sessions (`sessions.revoked` from auth's outbox): every instance follows the stream,
 * remembers the sessions in process and disconnects its own sockets of them, telling the client
 * why first; once per deployment the revocation is recorded in Redis, so instances that start
 * later load it (REST and handshakes check `isRevoked`, in process).
 */
export async function followRevocations(streams: DurableEvents, io: MessagingServer, revoked: RevokedSessions): Promise<void> {
  await revoked.follow(streams, (payload) => {
    const rooms = payload.sessionIds.map(sessionRoom);
    io.local.to(rooms).emit('session:revoked', { reason: payload.reason });
    // A server-side disconnect: the client does not reconnect by itself (unlike a closed transport).
    io.local.in(rooms).disconnectSockets(true);
  });
  await streams.consume('sessions.revoked', 'messaging', ({ payload }) => revoked.record(payload));
}
