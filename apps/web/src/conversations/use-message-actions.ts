import { type Dispatch, useCallback } from 'react';
import { useApi } from '../api/api-context.js';
import { useUser } from '../auth/auth-context.js';
import type { ConversationAction } from './conversation-state.js';
import type { Message, Reaction } from './types.js';

/** Edit, delete and react: REST calls whose answers update the view before the broadcast arrives. */
export function useMessageActions(dispatch: Dispatch<ConversationAction>) {
  const api = useApi();
  const me = useUser();

  const edit = useCallback(
    async (id: string, content: string) => {
      const message = await api.patch<Message>(`/api/messages/${id}`, { content });
      dispatch({ type: 'received', messages: [message] });
    },
    [api, dispatch],
  );

  const remove = useCallback(
    async (id: string) => {
      await api.delete(`/api/messages/${id}`);
      dispatch({ type: 'deleted', id });
    },
    [api, dispatch],
  );

  const react = useCallback(
    async (message: Message, emoji: string) => {
      const mine = message.reactions?.find((r) => r.emoji === emoji)?.userIds.includes(me.id);
      const answer = await api.request<{ reactions?: Reaction[] } | undefined>(
        mine ? 'DELETE' : 'POST',
        `/api/messages/${message.id}/reactions`,
        {
          body: { emoji },
        },
      );
      if (answer?.reactions) dispatch({ type: 'reactions', messageId: message.id, reactions: answer.reactions });
    },
    [api, me.id, dispatch],
  );

  return { edit, remove, react };
}
