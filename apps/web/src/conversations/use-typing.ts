import { type Dispatch, useCallback, useEffect } from 'react';
import type { ConversationAction } from './conversation-state.js';
import { useMessaging } from './messaging-context.js';

/** Typing: others' flags fade out if their "stopped" never arrives; ours goes to the server. */
export function useTyping(conversationId: string, typing: Record<string, number>, dispatch: Dispatch<ConversationAction>) {
  const { socket } = useMessaging();
  const anyoneTyping = Object.keys(typing).length > 0;

  useEffect(() => {
    if (!anyoneTyping) return;
    const timer = setInterval(() => dispatch({ type: 'typing-expired', now: Date.now() }), 2000);
    return () => clearInterval(timer);
  }, [anyoneTyping, dispatch]);

  return useCallback((isTyping: boolean) => socket?.emit('typing', { conversationId, isTyping }), [socket, conversationId]);
}
