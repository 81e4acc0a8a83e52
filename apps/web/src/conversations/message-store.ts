import type { Message, Reaction } from './types.js';

/**
 * The messages of one conversation as the screen shows them: confirmed messages ordered by `seq`,
 * plus this person's optimistic messages (no `seq` yet) at the end until the server confirms them.
 * A confirmation arrives as the ack, as a `message:new` broadcast, or through `sync` — in any
 * order, maybe twice — and is matched by `clientId`, so each message is shown exactly once.
 */
export interface PendingMessage {
  clientId: string;
  content: string;
  parentId?: string | null;
  authorId: string;
  createdAt: string;
  status: 'sending' | 'failed';
  error?: string;
}

export interface MessageState {
  messages: Message[];
  pending: PendingMessage[];
  /** Cursor for older history; null when the start has been reached. */
  nextCursor: string | null;
  loadedOnce: boolean;
}

export type MessageAction =
  | { type: 'history'; items: Message[]; nextCursor: string | null }
  | { type: 'optimistic'; message: PendingMessage }
  | { type: 'received'; messages: Message[] }
  | { type: 'failed'; clientId: string; error: string }
  | { type: 'retry'; clientId: string }
  | { type: 'deleted'; id: string; deletedAt?: string }
  | { type: 'reactions'; messageId: string; reactions: Reaction[] }
  /** One emoji changed (a `reaction:updated` broadcast); count 0 removes it. */
  | { type: 'reaction'; messageId: string; reaction: Reaction };

export const emptyMessages: MessageState = { messages: [], pending: [], nextCursor: null, loadedOnce: false };

function merge(existing: Message[], incoming: Message[]): Message[] {
  const byId = new Map(existing.map((m) => [m.id, m]));
  for (const message of incoming) {
    const old = byId.get(message.id);
    // An older copy (e.g. a late broadcast after an edit) must not undo a newer one.
    if (!old?.editedAt || (message.editedAt && message.editedAt >= old.editedAt) || message.deletedAt) {
      byId.set(message.id, old ? { ...old, ...message } : message);
    }
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

export function messageReducer(state: MessageState, action: MessageAction): MessageState {
  switch (action.type) {
    case 'history': {
      // History pages come newest first; older pages extend the start of the list.
      const messages = merge(state.messages, action.items);
      return { ...state, messages, nextCursor: action.nextCursor, loadedOnce: true, pending: reconcile(state.pending, messages) };
    }
    case 'optimistic':
      if (state.pending.some((p) => p.clientId === action.message.clientId)) return state;
      return { ...state, pending: [...state.pending, action.message] };
    case 'received': {
      if (action.messages.length === 0) return state;
      const messages = merge(state.messages, action.messages);
      return { ...state, messages, pending: reconcile(state.pending, messages) };
    }
    case 'failed':
      return {
        ...state,
        pending: state.pending.map((p) => (p.clientId === action.clientId ? { ...p, status: 'failed', error: action.error } : p)),
      };
    case 'retry':
      return {
        ...state,
        pending: state.pending.map((p) =>
          p.clientId === action.clientId ? ({ ...p, status: 'sending', error: undefined } as PendingMessage) : p,
        ),
      };
    case 'deleted':
      return {
        ...state,
        messages: state.messages.map((m) =>
          m.id === action.id ? { ...m, content: '', attachments: [], deletedAt: action.deletedAt ?? new Date().toISOString() } : m,
        ),
      };
    case 'reactions':
      return { ...state, messages: state.messages.map((m) => (m.id === action.messageId ? { ...m, reactions: action.reactions } : m)) };
    case 'reaction':
      return {
        ...state,
        messages: state.messages.map((m) =>
          m.id === action.messageId ? { ...m, reactions: withReaction(m.reactions, action.reaction) } : m,
        ),
      };
  }
}

/** The list with one emoji's summary replaced (kept in place), added at the end, or removed at count 0. */
function withReaction(reactions: Reaction[] | undefined, changed: Reaction): Reaction[] {
  const rest = (reactions ?? []).filter((r) => r.emoji !== changed.emoji);
  if (changed.count === 0) return rest;
  const at = (reactions ?? []).findIndex((r) => r.emoji === changed.emoji);
  return at === -1 ? [...rest, changed] : [...rest.slice(0, at), changed, ...rest.slice(at)];
}

function reconcile(pending: PendingMessage[], confirmed: Message[]): PendingMessage[] {
  if (pending.length === 0) return pending;
  const confirmedIds = new Set(confirmed.map((m) => m.clientId).filter(Boolean));
  const left = pending.filter((p) => !confirmedIds.has(p.clientId));
  return left.length === pending.length ? pending : left;
}

/** The highest confirmed seq: what to ask `sync` for after a reconnect. */
export function lastSeq(state: MessageState): number {
  return state.messages.at(-1)?.seq ?? 0;
}

export function newClientId(): string {
  return crypto.randomUUID();
}
