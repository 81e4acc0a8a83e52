import { type Dispatch, useCallback, useEffect, useRef } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { useUser } from '../auth/auth-context.js';
import type { ConversationAction } from './conversation-state.js';
import { newClientId, type PendingMessage } from './message-store.js';
import { useMessaging } from './messaging-context.js';
import type { Attachment, Message } from './types.js';

/** Sending: optimistic at once, over the socket or REST, marked failed on error, resent after a reconnect. */
export function useSender(conversationId: string, pending: PendingMessage[], dispatch: Dispatch<ConversationAction>) {
  const api = useApi();
  const me = useUser();
  const { socket, connected } = useMessaging();
  // The latest pending list for `retry`, which must stay stable across renders.
  const pendingRef = useRef(pending);
  pendingRef.current = pending;

  const deliver = useCallback(
    async (message: PendingMessage, attachments: Attachment[] = []) => {
      const body = {
        conversationId,
        content: message.content,
        clientId: message.clientId,
        ...(message.parentId ? { parentId: message.parentId } : {}),
        ...(attachments.length ? { attachments: attachments.map((a) => a.id) } : {}),
      };
      try {
        let confirmed: Message;
        if (socket?.connected && attachments.length === 0) {
          const ack = await socket.timeout(10_000).emitWithAck('message:send', body);
          if (!ack.ok) throw new ApiError(400, ack.error.code, ack.error.message);
          confirmed = ack.message;
        } else {
          // REST works while the socket reconnects; the clientId keeps a retry from duplicating.
          confirmed = await api.post<Message>(`/api/conversations/${conversationId}/messages`, body);
        }
        dispatch({ type: 'received', messages: [confirmed] });
      } catch (caught) {
        dispatch({ type: 'failed', clientId: message.clientId, error: caught instanceof ApiError ? caught.message : 'Not sent.' });
      }
    },
    [api, socket, conversationId, dispatch],
  );

  const send = useCallback(
    (content: string, options: { parentId?: string | null; attachments?: Attachment[] } = {}) => {
      const message: PendingMessage = {
        clientId: newClientId(),
        content,
        parentId: options.parentId ?? null,
        authorId: me.id,
        createdAt: new Date().toISOString(),
        status: 'sending',
      };
      dispatch({ type: 'optimistic', message });
      void deliver(message, options.attachments);
    },
    [deliver, me.id, dispatch],
  );

  const retry = useCallback(
    (clientId: string) => {
      const message = pendingRef.current.find((p) => p.clientId === clientId);
      if (!message) return;
      dispatch({ type: 'retry', clientId });
      void deliver(message);
    },
    [deliver, dispatch],
  );

  // After a reconnect, resend what failed while offline (same clientId: no duplicates).
  useEffect(() => {
    if (!connected) return;
    for (const p of pendingRef.current) if (p.status === 'failed') retry(p.clientId);
  }, [connected, retry]);

  return { send, retry };
}
