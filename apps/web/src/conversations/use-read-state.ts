import { useEffect } from 'react';
import { useMessaging } from './messaging-context.js';

/** Everything on screen is read: the open conversation does not count unread, and the server hears the newest seq. */
export function useReadState(conversationId: string, newest: number): void {
  const { connected, setActiveConversation, markRead, reportSeq } = useMessaging();

  useEffect(() => {
    setActiveConversation(conversationId);
    return () => setActiveConversation(null);
  }, [conversationId, setActiveConversation]);

  // What this view has seen, so a reconnect's sync asks only for what it missed.
  useEffect(() => {
    if (newest > 0) reportSeq(conversationId, newest);
  }, [newest, conversationId, reportSeq]);

  useEffect(() => {
    const mark = () => {
      if (newest > 0 && connected && document.visibilityState === 'visible') markRead(conversationId, newest);
    };
    mark();
    // Messages that arrived in a background tab count as read when the tab is looked at.
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [newest, conversationId, markRead, connected]);
}
