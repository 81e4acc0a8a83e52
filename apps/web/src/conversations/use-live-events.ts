import { type Dispatch, useEffect } from 'react';
import { useUser } from '../auth/auth-context.js';
import type { ConversationAction } from './conversation-state.js';
import { eventToAction } from './event-to-action.js';
import { useMessaging } from './messaging-context.js';

/** Applies the server's live events about this conversation to its state. */
export function useLiveEvents(conversationId: string, dispatch: Dispatch<ConversationAction>): void {
  const me = useUser();
  const { listen } = useMessaging();
  useEffect(
    () =>
      listen((local) => {
        if (local.event === 'connected' || local.event === 'resync') return;
        const action = eventToAction(local, { conversationId, me: me.id, now: Date.now() });
        if (action) dispatch(action);
      }),
    [listen, conversationId, me.id, dispatch],
  );
}
