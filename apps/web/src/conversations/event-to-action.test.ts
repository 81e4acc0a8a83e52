import { describe, expect, it } from 'vitest';
import { conversationReducer, emptyConversation, type ConversationState } from './conversation-state.js';
import { eventToAction, TYPING_TIMEOUT_MS } from './event-to-action.js';
import type { ServerEvent } from './messaging-context.js';
import type { Conversation, Message, Notification } from './types.js';

const view = { conversationId: 'c1', me: 'me', now: 1_000_000 };

const message = (seq: number, extra: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  authorId: 'u1',
  author: { id: 'u1', name: 'Ada' },
  clientId: `client-${seq}`,
  content: `message ${seq}`,
  parentId: null,
  replyCount: 0,
  attachments: [],
  reactions: [],
  createdAt: new Date(seq * 1000).toISOString(),
  editedAt: null,
  deletedAt: null,
  ...extra,
});

/** The state after the events, as the open view of c1 sees them. */
const apply = (events: ServerEvent[], state: ConversationState = emptyConversation) =>
  events.reduce((s, e) => {
    const action = eventToAction(e, view);
    return action ? conversationReducer(s, action) : s;
  }, state);

describe('eventToAction', () => {
  it('maps each event about this conversation to its action', () => {
    const m = message(1);
    expect(eventToAction({ event: 'message:new', payload: m }, view)).toEqual({ type: 'arrived', message: m });
    expect(eventToAction({ event: 'message:updated', payload: m }, view)).toEqual({ type: 'received', messages: [m] });
    expect(
      eventToAction(
        { event: 'message:deleted', payload: { id: 'm1', conversationId: 'c1', seq: 1, deletedAt: '2030-01-01T00:00:00.000Z' } },
        view,
      ),
    ).toEqual({ type: 'deleted', id: 'm1', deletedAt: '2030-01-01T00:00:00.000Z' });
    const reaction = { emoji: '👍', count: 1, userIds: ['u1'] };
    expect(eventToAction({ event: 'reaction:updated', payload: { messageId: 'm1', conversationId: 'c1', reaction } }, view)).toEqual({
      type: 'reaction',
      messageId: 'm1',
      reaction,
    });
    expect(eventToAction({ event: 'read', payload: { conversationId: 'c1', userId: 'u1', seq: 4 } }, view)).toEqual({
      type: 'read',
      userId: 'u1',
      seq: 4,
    });
  });

  it('typing lasts a while unless stopped; one’s own echo is not shown', () => {
    expect(eventToAction({ event: 'typing', payload: { conversationId: 'c1', userId: 'u1', isTyping: true } }, view)).toEqual({
      type: 'typing',
      userId: 'u1',
      until: view.now + TYPING_TIMEOUT_MS,
    });
    expect(eventToAction({ event: 'typing', payload: { conversationId: 'c1', userId: 'u1', isTyping: false } }, view)).toEqual({
      type: 'typing',
      userId: 'u1',
      until: null,
    });
    expect(eventToAction({ event: 'typing', payload: { conversationId: 'c1', userId: 'me', isTyping: true } }, view)).toBeNull();
  });

  it('ignores events about other conversations', () => {
    const other = 'c2';
    const events: ServerEvent[] = [
      { event: 'message:new', payload: message(1, { conversationId: other }) },
      { event: 'message:updated', payload: message(1, { conversationId: other }) },
      { event: 'message:deleted', payload: { id: 'm1', conversationId: other, seq: 1, deletedAt: '2030-01-01T00:00:00.000Z' } },
      { event: 'reaction:updated', payload: { messageId: 'm1', conversationId: other, reaction: { emoji: '👍', count: 0, userIds: [] } } },
      { event: 'typing', payload: { conversationId: other, userId: 'u1', isTyping: true } },
      { event: 'read', payload: { conversationId: other, userId: 'u1', seq: 1 } },
    ];
    for (const e of events) expect(eventToAction(e, view), e.event).toBeNull();
  });

  it('leaves the sidebar, bell and presence events to the messaging context', () => {
    const events: ServerEvent[] = [
      { event: 'presence', payload: { userId: 'u1', status: 'online' } },
      { event: 'notification:new', payload: { id: 'n1' } as Notification },
      { event: 'conversation:new', payload: { id: 'c1' } as Conversation },
      { event: 'conversation:removed', payload: { id: 'c1' } },
    ];
    for (const e of events) expect(eventToAction(e, view), e.event).toBeNull();
  });
});

describe('live events applied to the open conversation', () => {
  it('a new message appears and its author stops typing', () => {
    const state = apply([
      { event: 'typing', payload: { conversationId: 'c1', userId: 'u1', isTyping: true } },
      { event: 'typing', payload: { conversationId: 'c1', userId: 'u2', isTyping: true } },
      { event: 'message:new', payload: message(1) },
    ]);
    expect(state.messages.messages.map((m) => m.id)).toEqual(['m1']);
    expect(state.typing).toEqual({ u2: view.now + TYPING_TIMEOUT_MS });
  });

  it('an edit, a reaction and a delete reach the loaded message', () => {
    const reaction = { emoji: '🎉', count: 1, userIds: ['u2'] };
    const state = apply([
      { event: 'message:new', payload: message(1) },
      { event: 'message:updated', payload: message(1, { content: 'edited', editedAt: '2030-01-01T00:00:00.000Z' }) },
      { event: 'reaction:updated', payload: { messageId: 'm1', conversationId: 'c1', reaction } },
    ]);
    expect(state.messages.messages[0]).toMatchObject({ content: 'edited', reactions: [reaction] });
    const deleted = apply(
      [{ event: 'message:deleted', payload: { id: 'm1', conversationId: 'c1', seq: 1, deletedAt: '2030-01-02T00:00:00.000Z' } }],
      state,
    );
    expect(deleted.messages.messages[0]).toMatchObject({ content: '', deletedAt: '2030-01-02T00:00:00.000Z' });
  });

  it('read positions only move forward', () => {
    const state = apply([
      { event: 'read', payload: { conversationId: 'c1', userId: 'u1', seq: 5 } },
      { event: 'read', payload: { conversationId: 'c1', userId: 'u1', seq: 3 } },
      { event: 'read', payload: { conversationId: 'c1', userId: 'u2', seq: 2 } },
    ]);
    expect(state.readSeqs).toEqual({ u1: 5, u2: 2 });
  });

  it('events for other conversations or the sidebar leave the state as it was', () => {
    const before = apply([{ event: 'message:new', payload: message(1) }]);
    const after = apply(
      [
        { event: 'message:new', payload: message(9, { id: 'x9', conversationId: 'c2' }) },
        { event: 'conversation:removed', payload: { id: 'c2' } },
      ],
      before,
    );
    expect(after).toBe(before);
  });
});
