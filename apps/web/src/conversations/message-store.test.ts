import { describe, expect, it } from 'vitest';
import { emptyMessages, lastSeq, messageReducer, type MessageAction, type MessageState, type PendingMessage } from './message-store.js';
import type { Message } from './types.js';

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

const pending = (clientId: string, content = 'hello'): PendingMessage => ({
  clientId,
  content,
  authorId: 'u1',
  createdAt: new Date().toISOString(),
  status: 'sending',
});

const run = (...actions: MessageAction[]): MessageState => actions.reduce(messageReducer, emptyMessages);

describe('messageReducer', () => {
  it('shows an optimistic message at once and replaces it with the confirmed one', () => {
    const sent = run({ type: 'optimistic', message: pending('k1') });
    expect(sent.pending.map((p) => p.clientId)).toEqual(['k1']);
    const confirmed = messageReducer(sent, { type: 'received', messages: [message(5, { clientId: 'k1', content: 'hello' })] });
    expect(confirmed.pending).toEqual([]);
    expect(confirmed.messages.map((m) => m.id)).toEqual(['m5']);
  });

  it('shows a message once when the broadcast arrives before the ack, and again via sync', () => {
    const state = run(
      { type: 'optimistic', message: pending('k1') },
      { type: 'received', messages: [message(7, { clientId: 'k1' })] }, // broadcast
      { type: 'received', messages: [message(7, { clientId: 'k1' })] }, // ack
      { type: 'received', messages: [message(7, { clientId: 'k1' })] }, // sync after reconnect
    );
    expect(state.messages).toHaveLength(1);
    expect(state.pending).toHaveLength(0);
  });

  it('keeps messages ordered by seq whatever order they arrive in', () => {
    const state = run(
      { type: 'received', messages: [message(3)] },
      { type: 'received', messages: [message(1), message(2)] },
      { type: 'history', items: [message(0)], nextCursor: null },
    );
    expect(state.messages.map((m) => m.seq)).toEqual([0, 1, 2, 3]);
    expect(lastSeq(state)).toBe(3);
  });

  it('prepends older history pages and remembers the cursor', () => {
    const state = run(
      { type: 'history', items: [message(4), message(3)], nextCursor: 'c3' },
      { type: 'history', items: [message(2), message(1)], nextCursor: null },
    );
    expect(state.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(state.nextCursor).toBeNull();
  });

  it('marks a failed send and lets it be retried under the same clientId', () => {
    const failed = run({ type: 'optimistic', message: pending('k1') }, { type: 'failed', clientId: 'k1', error: 'offline' });
    expect(failed.pending[0]).toMatchObject({ status: 'failed', error: 'offline' });
    const retried = messageReducer(failed, { type: 'retry', clientId: 'k1' });
    expect(retried.pending[0]).toMatchObject({ clientId: 'k1', status: 'sending' });
  });

  it('does not let a late, older copy undo an edit', () => {
    const edited = message(1, { content: 'edited', editedAt: '2026-01-01T00:00:02Z' });
    const state = run({ type: 'received', messages: [edited] }, { type: 'received', messages: [message(1, { content: 'original' })] });
    expect(state.messages[0]?.content).toBe('edited');
  });

  it('blanks deleted messages and applies reaction updates', () => {
    const state = run(
      { type: 'received', messages: [message(1), message(2)] },
      { type: 'deleted', id: 'm1' },
      { type: 'reactions', messageId: 'm2', reactions: [{ emoji: '👍', count: 2, userIds: ['u1', 'u2'] }] },
    );
    expect(state.messages[0]).toMatchObject({ content: '', deletedAt: expect.any(String) });
    expect(state.messages[1]?.reactions?.[0]?.count).toBe(2);
  });

  it('merges one changed emoji from a broadcast: replaced in place, added at the end, removed at count 0', () => {
    const thumbs = { emoji: '👍', count: 1, userIds: ['u1'] };
    const party = { emoji: '🎉', count: 1, userIds: ['u2'] };
    const start = run({ type: 'received', messages: [message(1, { reactions: [thumbs, party] })] });
    const more = messageReducer(start, { type: 'reaction', messageId: 'm1', reaction: { ...thumbs, count: 2, userIds: ['u1', 'u3'] } });
    expect(more.messages[0]?.reactions).toEqual([{ emoji: '👍', count: 2, userIds: ['u1', 'u3'] }, party]);
    const added = messageReducer(more, { type: 'reaction', messageId: 'm1', reaction: { emoji: '🚀', count: 1, userIds: ['u1'] } });
    expect(added.messages[0]?.reactions?.map((r) => r.emoji)).toEqual(['👍', '🎉', '🚀']);
    const removed = messageReducer(added, { type: 'reaction', messageId: 'm1', reaction: { emoji: '🎉', count: 0, userIds: [] } });
    expect(removed.messages[0]?.reactions?.map((r) => r.emoji)).toEqual(['👍', '🚀']);
  });
});
