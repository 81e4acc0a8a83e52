import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { useUser } from '../auth/auth-context.js';
import { emptyMessages, messageReducer, newClientId, type PendingMessage } from './message-store.js';
import { useMessaging } from './messaging-context.js';
import type { Ack, Attachment, Message, Reaction } from './types.js';

const pageSize = 50;

/** One conversation's live state: history, optimistic sends, edits, reactions, typing and reads. */
export function useConversation(conversationId: string) {
  const api = useApi();
  const me = useUser();
  const { socket, connected, listen, setActiveConversation, markRead, reportSeq } = useMessaging();
  const [state, dispatch] = useReducer(messageReducer, emptyMessages);
  /** Who is typing (user id → until when, in case their "stopped" never arrives). */
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [readSeqs, setReadSeqs] = useState<Record<string, number>>({});
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const pendingRef = useRef<PendingMessage[]>([]);
  pendingRef.current = state.pending;

  useEffect(() => {
    setActiveConversation(conversationId);
    return () => setActiveConversation(null);
  }, [conversationId, setActiveConversation]);

  // First page of history.
  useEffect(() => {
    const controller = new AbortController();
    api
      .get<{ items: Message[]; nextCursor: string | null }>(
        `/api/conversations/${conversationId}/messages?limit=${pageSize}`,
        controller.signal,
      )
      .then((page) => dispatch({ type: 'history', ...page }))
      .catch((caught: unknown) => !controller.signal.aborted && setError(caught instanceof ApiError ? caught : null));
    return () => controller.abort();
  }, [api, conversationId]);

  /** A thread's replies may be older than the loaded history: fetch them when it opens. */
  const loadThread = useCallback(
    async (parentId: string) => {
      const page = await api.get<{ items: Message[] }>(`/api/conversations/${conversationId}/messages?limit=100&parentId=${parentId}`);
      dispatch({ type: 'received', messages: page.items });
    },
    [api, conversationId],
  );

  const loadOlder = useCallback(async () => {
    if (!state.nextCursor || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await api.get<{ items: Message[]; nextCursor: string | null }>(
        `/api/conversations/${conversationId}/messages?limit=${pageSize}&before=${encodeURIComponent(state.nextCursor)}`,
      );
      dispatch({ type: 'history', ...page });
    } finally {
      setLoadingOlder(false);
    }
  }, [api, conversationId, state.nextCursor, loadingOlder]);

  // Live events for this conversation.
  useEffect(
    () =>
      listen((event, payload) => {
        if (event === 'resync') {
          api
            .get<{ items: Message[] }>(`/api/conversations/${conversationId}/messages?limit=${pageSize}`)
            .then((page) => dispatch({ type: 'received', messages: page.items }))
            .catch(() => undefined);
          return;
        }
        const p = payload as { conversationId?: string } & Record<string, unknown>;
        if (p?.conversationId !== conversationId && event !== 'reaction:updated' && event !== 'message:deleted') return;
        switch (event) {
          case 'message:new':
            setTyping((all) => {
              const { [(payload as Message).authorId]: _done, ...rest } = all;
              return rest;
            });
            dispatch({ type: 'received', messages: [payload as Message] });
            break;
          case 'message:updated':
            dispatch({ type: 'received', messages: [payload as Message] });
            break;
          case 'message:deleted': {
            const d = payload as { id?: string; messageId?: string; deletedAt?: string };
            const id = d.id ?? d.messageId;
            if (id) dispatch({ type: 'deleted', id, ...(d.deletedAt ? { deletedAt: d.deletedAt } : {}) });
            break;
          }
          case 'reaction:updated': {
            const r = payload as { messageId: string; reactions: Reaction[] };
            if (r.messageId && Array.isArray(r.reactions)) dispatch({ type: 'reactions', messageId: r.messageId, reactions: r.reactions });
            break;
          }
          case 'typing': {
            const t = payload as { userId: string; isTyping: boolean };
            if (t.userId === me.id) break;
            setTyping((all) => {
              const next = { ...all };
              if (t.isTyping) next[t.userId] = Date.now() + 6000;
              else delete next[t.userId];
              return next;
            });
            break;
          }
          case 'read': {
            const r = payload as { userId: string; seq: number };
            setReadSeqs((all) => ({ ...all, [r.userId]: Math.max(all[r.userId] ?? 0, r.seq) }));
            break;
          }
        }
      }),
    [listen, conversationId, me.id, api],
  );

  // A typing flag that never got its "stopped" (the sender closed the tab) fades out.
  useEffect(() => {
    if (Object.keys(typing).length === 0) return;
    const timer = setInterval(() => {
      setTyping((all) => Object.fromEntries(Object.entries(all).filter(([, until]) => until > Date.now())));
    }, 2000);
    return () => clearInterval(timer);
  }, [typing]);

  // Read state: everything on screen is read; tell the server when the newest seq changes.
  const newest = state.messages.at(-1)?.seq ?? 0;
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

  const deliver = useCallback(
    async (pending: PendingMessage, attachments: Attachment[] = []) => {
      const body = {
        conversationId,
        content: pending.content,
        clientId: pending.clientId,
        ...(pending.parentId ? { parentId: pending.parentId } : {}),
        ...(attachments.length ? { attachments: attachments.map((a) => a.id) } : {}),
      };
      try {
        let message: Message;
        if (socket?.connected && attachments.length === 0) {
          const ack = (await socket.timeout(10_000).emitWithAck('message:send', body)) as Ack<{ message: Message }>;
          if (!ack.ok) throw new ApiError(400, ack.error.code, ack.error.message);
          message = ack.message;
        } else {
          // REST works while the socket reconnects; the clientId keeps a retry from duplicating.
          message = await api.post<Message>(`/api/conversations/${conversationId}/messages`, body);
        }
        dispatch({ type: 'received', messages: [message] });
      } catch (caught) {
        dispatch({ type: 'failed', clientId: pending.clientId, error: caught instanceof ApiError ? caught.message : 'Not sent.' });
      }
    },
    [api, socket, conversationId],
  );

  const send = useCallback(
    (content: string, options: { parentId?: string | null; attachments?: Attachment[] } = {}) => {
      const pending: PendingMessage = {
        clientId: newClientId(),
        content,
        parentId: options.parentId ?? null,
        authorId: me.id,
        createdAt: new Date().toISOString(),
        status: 'sending',
      };
      dispatch({ type: 'optimistic', message: pending });
      void deliver(pending, options.attachments);
    },
    [deliver, me.id],
  );

  const retry = useCallback(
    (clientId: string) => {
      const pending = pendingRef.current.find((p) => p.clientId === clientId);
      if (!pending) return;
      dispatch({ type: 'retry', clientId });
      void deliver(pending);
    },
    [deliver],
  );

  // After a reconnect, resend what failed while offline (same clientId: no duplicates).
  useEffect(() => {
    if (!connected) return;
    for (const p of pendingRef.current) if (p.status === 'failed') retry(p.clientId);
  }, [connected, retry]);

  const edit = useCallback(
    async (id: string, content: string) => {
      const message = await api.patch<Message>(`/api/messages/${id}`, { content });
      dispatch({ type: 'received', messages: [message] });
    },
    [api],
  );

  const remove = useCallback(
    async (id: string) => {
      await api.delete(`/api/messages/${id}`);
      dispatch({ type: 'deleted', id });
    },
    [api],
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
    [api, me.id],
  );

  const setTypingState = useCallback((isTyping: boolean) => socket?.emit('typing', { conversationId, isTyping }), [socket, conversationId]);

  return {
    state,
    typing,
    readSeqs,
    error,
    loadOlder,
    loadThread,
    loadingOlder,
    send,
    retry,
    edit,
    remove,
    react,
    setTyping: setTypingState,
  };
}
