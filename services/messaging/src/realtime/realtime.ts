import type { ClientToServerEvents, ServerToClientEvents, ServerToClientPayloads, SocketData } from '@flux/shared';
import type { Server, Socket } from 'socket.io';

/** Messaging's Socket.IO server, typed by the shared event maps (no inter-server events). */
export type MessagingServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type MessagingSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const conversationRoom = (id: string) => `conversation:${id}`;
export const userRoom = (id: string) => `user:${id}`;

type EventName = keyof ServerToClientPayloads;
type EmitOne = <E extends EventName>(event: E, payload: ServerToClientPayloads[E]) => boolean;

/**
 * Fan-out to sockets on every instance (through the Socket.IO Redis adapter). Services call it
 * only after their transaction committed, so a client never sees what could still roll back.
 */
export class Realtime {
  constructor(private readonly io: MessagingServer) {}

  toConversation<E extends EventName>(conversationId: string, event: E, payload: ServerToClientPayloads[E]): void {
    this.emit(this.io.to(conversationRoom(conversationId)), event, payload);
  }

  toUsers<E extends EventName>(userIds: readonly string[], event: E, payload: ServerToClientPayloads[E]): void {
    if (userIds.length > 0) this.emit(this.io.to(userIds.map(userRoom)), event, payload);
  }

  /** The users' open sockets (on any instance) start receiving the conversation's events. */
  join(userIds: readonly string[], conversationId: string): void {
    if (userIds.length > 0) this.io.in(userIds.map(userRoom)).socketsJoin(conversationRoom(conversationId));
  }

  leave(userIds: readonly string[], conversationId: string): void {
    if (userIds.length > 0) this.io.in(userIds.map(userRoom)).socketsLeave(conversationRoom(conversationId));
  }

  private emit<E extends EventName>(target: ReturnType<MessagingServer['to']>, event: E, payload: ServerToClientPayloads[E]): void {
    // Socket.IO types emit's arguments as `Parameters<ServerToClientEvents[E]>`, which TypeScript
    // cannot resolve to `[payload]` while E is generic; this is the same signature, spelled out.
    (target.emit as EmitOne)(event, payload);
  }
}
