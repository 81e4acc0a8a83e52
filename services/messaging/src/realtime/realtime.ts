import type { MessagingServerEvents } from '@flux/shared';
import type { Server } from 'socket.io';

export const conversationRoom = (id: string) => `conversation:${id}`;
export const userRoom = (id: string) => `user:${id}`;

type EventName = keyof MessagingServerEvents;

/**
 * Fan-out to sockets on every instance (through the Socket.IO Redis adapter). Services call it
 * only after their transaction committed, so a client never sees what could still roll back.
 */
export class Realtime {
  constructor(private readonly io: Server) {}

  toConversation<E extends EventName>(conversationId: string, event: E, payload: MessagingServerEvents[E]): void {
    this.io.to(conversationRoom(conversationId)).emit(event, payload);
  }

  toUsers<E extends EventName>(userIds: readonly string[], event: E, payload: MessagingServerEvents[E]): void {
    if (userIds.length > 0) this.io.to(userIds.map(userRoom)).emit(event, payload);
  }

  /** The users' open sockets (on any instance) start receiving the conversation's events. */
  join(userIds: readonly string[], conversationId: string): void {
    if (userIds.length > 0) this.io.in(userIds.map(userRoom)).socketsJoin(conversationRoom(conversationId));
  }

  leave(userIds: readonly string[], conversationId: string): void {
    if (userIds.length > 0) this.io.in(userIds.map(userRoom)).socketsLeave(conversationRoom(conversationId));
  }
}
