import { emptyMessages, type MessageAction, type MessageState, messageReducer } from './message-store.js';
import type { Message } from './types.js';

/** What one open conversation shows: its messages, who is typing, and how far each member has read. */
export interface ConversationState {
  messages: MessageState;
  /** Who is typing (user id → until when, in case their "stopped" never arrives). */
  typing: Record<string, number>;
  /** The highest seq each member is known to have read since the view opened. */
  readSeqs: Record<string, number>;
}

export type ConversationAction =
  | MessageAction
  /** A message broadcast live: shown, and its author has stopped typing. */
  | { type: 'arrived'; message: Message }
  /** `until` null: stopped typing. */
  | { type: 'typing'; userId: string; until: number | null }
  | { type: 'typing-expired'; now: number }
  | { type: 'read'; userId: string; seq: number };

export const emptyConversation: ConversationState = { messages: emptyMessages, typing: {}, readSeqs: {} };

export function conversationReducer(state: ConversationState, action: ConversationAction): ConversationState {
  switch (action.type) {
    case 'arrived':
      return {
        ...state,
        typing: without(state.typing, action.message.authorId),
        messages: messageReducer(state.messages, { type: 'received', messages: [action.message] }),
      };
    case 'typing':
      if (action.until === null) return { ...state, typing: without(state.typing, action.userId) };
      return { ...state, typing: { ...state.typing, [action.userId]: action.until } };
    case 'typing-expired': {
      const left = Object.entries(state.typing).filter(([, until]) => until > action.now);
      return left.length === Object.keys(state.typing).length ? state : { ...state, typing: Object.fromEntries(left) };
    }
    case 'read':
      return { ...state, readSeqs: { ...state.readSeqs, [action.userId]: Math.max(state.readSeqs[action.userId] ?? 0, action.seq) } };
    default: {
      const messages = messageReducer(state.messages, action);
      return messages === state.messages ? state : { ...state, messages };
    }
  }
}

function without(typing: Record<string, number>, userId: string): Record<string, number> {
  if (!(userId in typing)) return typing;
  const { [userId]: _gone, ...rest } = typing;
  return rest;
}
