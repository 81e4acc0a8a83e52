import { type Dispatch, useCallback, useEffect, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import type { ConversationAction } from './conversation-state.js';
import { useMessaging } from './messaging-context.js';
import type { Message } from './types.js';

const pageSize = 50;
type Page = { items: Message[]; nextCursor: string | null };

/** History from the API: the newest page on open, older pages on demand, a thread's replies, and a catch-up when sync is unavailable. */
export function useHistory(conversationId: string, nextCursor: string | null, dispatch: Dispatch<ConversationAction>) {
  const api = useApi();
  const { listen } = useMessaging();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const newest = `/api/conversations/${conversationId}/messages?limit=${pageSize}`;

  useEffect(() => {
    const controller = new AbortController();
    api
      .get<Page>(newest, controller.signal)
      .then((page) => dispatch({ type: 'history', ...page }))
      .catch((caught: unknown) => !controller.signal.aborted && setError(caught instanceof ApiError ? caught : null));
    return () => controller.abort();
  }, [api, newest, dispatch]);

  // Sync was unavailable after a reconnect: the newest page covers what was missed.
  useEffect(
    () =>
      listen((local) => {
        if (local.event !== 'resync') return;
        api
          .get<Page>(newest)
          .then((page) => dispatch({ type: 'received', messages: page.items }))
          .catch(() => undefined);
      }),
    [listen, api, newest, dispatch],
  );

  const loadOlder = useCallback(async () => {
    if (!nextCursor || loadingOlder) return;
    setLoadingOlder(true);
    try {
      dispatch({ type: 'history', ...(await api.get<Page>(`${newest}&before=${encodeURIComponent(nextCursor)}`)) });
    } finally {
      setLoadingOlder(false);
    }
  }, [api, newest, nextCursor, loadingOlder, dispatch]);

  /** A thread's replies may be older than the loaded history: fetch them when it opens. */
  const loadThread = useCallback(
    async (parentId: string) => {
      const page = await api.get<Page>(`/api/conversations/${conversationId}/messages?limit=100&parentId=${parentId}`);
      dispatch({ type: 'received', messages: page.items });
    },
    [api, conversationId, dispatch],
  );

  return { loadOlder, loadingOlder, loadThread, error };
}
