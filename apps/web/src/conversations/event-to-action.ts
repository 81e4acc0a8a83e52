import type { ConversationAction } from './conversation-state.js';
import type { ServerEvent } from './messaging-context.js';

/** How long a "typing" flag lasts if its "stopped" never arrives (the sender closed the tab). */
export const TYPING_TIMEOUT_MS = 6000;

export interface ConversationView {
  conversationId: string;
  /** The signed-in person: their own typing echo is not shown. */
  me: string;
  now: number;
}

/** What a server event means for one open conversation; null when it is not about it. */
export function eventToAction(server: ServerEvent, view: ConversationView): ConversationAction | null {
  switch (server.event) {
    case 'message:new':
      return server.payload.conversationId === view.conversationId ? { type: 'arrived', message: server.payload } : null;
    case 'message:updated':
      return server.payload.conversationId === view.conversationId ? { type: 'received', messages: [server.payload] } : null;
    case 'message:deleted': {
      const { conversationId, id, deletedAt } = server.payload;
      return conversationId === view.conversationId ? { type: 'deleted', id, deletedAt } : null;
    }
    case 'reaction:updated': {
      const { conversationId, messageId, reaction } = server.payload;
      return conversationId === view.conversationId ? { type: 'reaction', messageId, reaction } : null;
    }
    case 'typing': {
      const { conversationId, userId, isTyping } = server.payload;
      if (conversationId !== view.conversationId || userId === view.me) return null;
      return { type: 'typing', userId, until: isTyping ? view.now + TYPING_TIMEOUT_MS : null };
    }
    case 'read': {
      const { conversationId, userId, seq } = server.payload;
      return conversationId === view.conversationId ? { type: 'read', userId, seq } : null;
    }
    // The sidebar, the bell and presence are the messaging context's, not the open view's.
    case 'presence':
    case 'notification:new':
    case 'conversation:new':
    case 'conversation:removed':
    case 'conversation:updated':
    case 'session:revoked':
    // Pins are the open view's pins list's (use-pins.ts), not its messages'.
    case 'message:pinned':
    case 'message:unpinned':
      return null;
  }
}
