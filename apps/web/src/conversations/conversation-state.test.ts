import { describe, expect, it } from 'vitest';
import { conversationReducer, emptyConversation } from './conversation-state.js';

describe('conversationReducer: typing', () => {
  it('a flag is set until a time, and cleared by "stopped"', () => {
    const typing = conversationReducer(emptyConversation, { type: 'typing', userId: 'u1', until: 100 });
    expect(typing.typing).toEqual({ u1: 100 });
    expect(conversationReducer(typing, { type: 'typing', userId: 'u1', until: null }).typing).toEqual({});
  });

  it('flags whose "stopped" never arrived fade out; nothing changes while none has expired', () => {
    let state = conversationReducer(emptyConversation, { type: 'typing', userId: 'u1', until: 100 });
    state = conversationReducer(state, { type: 'typing', userId: 'u2', until: 200 });
    expect(conversationReducer(state, { type: 'typing-expired', now: 50 })).toBe(state);
    expect(conversationReducer(state, { type: 'typing-expired', now: 150 }).typing).toEqual({ u2: 200 });
  });

  it('message actions reach the messages and keep the rest', () => {
    const typing = conversationReducer(emptyConversation, { type: 'typing', userId: 'u1', until: 100 });
    const state = conversationReducer(typing, { type: 'history', items: [], nextCursor: 'older' });
    expect(state.messages.nextCursor).toBe('older');
    expect(state.typing).toBe(typing.typing);
  });
});
