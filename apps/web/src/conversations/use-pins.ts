import type { Page, Pin } from '@flux/shared';
import { useCallback, useEffect, useMemo } from 'react';
import { useApi } from '../api/api-context.js';
import { useResource } from '../api/use-resource.js';
import { useMessaging } from './messaging-context.js';

/** A conversation's pinned messages, kept live by `message:pinned` / `message:unpinned` (and edits and deletes of them). */
export function usePins(conversationId: string) {
  const api = useApi();
  const { listen } = useMessaging();
  const resource = useResource<Page<Pin>>(`/api/conversations/${conversationId}/pins`);
  const { mutate, reload } = resource;

  useEffect(
    () =>
      listen((local) => {
        if (local.event === 'connected') return reload();
        const update = (change: (pins: Pin[]) => Pin[]) => mutate((page) => page && { ...page, items: change(page.items) });
        switch (local.event) {
          case 'message:pinned':
            if (local.payload.conversationId === conversationId)
              update((pins) => [local.payload, ...pins.filter((p) => p.messageId !== local.payload.messageId)]);
            return;
          case 'message:unpinned':
            if (local.payload.conversationId === conversationId)
              update((pins) => pins.filter((p) => p.messageId !== local.payload.messageId));
            return;
          case 'message:updated':
            update((pins) => pins.map((p) => (p.messageId === local.payload.id ? { ...p, message: local.payload } : p)));
            return;
          case 'message:deleted':
            update((pins) => pins.filter((p) => p.messageId !== local.payload.id));
            return;
        }
      }),
    [listen, conversationId, mutate, reload],
  );

  const pins = resource.data?.items ?? [];
  const pinnedIds = useMemo(() => new Set(pins.map((p) => p.messageId)), [pins]);
  const pin = useCallback(
    async (messageId: string) => {
      const saved = await api.request<Pin>('PUT', `/api/messages/${messageId}/pin`);
      mutate((page) => page && { ...page, items: [saved, ...page.items.filter((p) => p.messageId !== messageId)] });
    },
    [api, mutate],
  );
  const unpin = useCallback(
    async (messageId: string) => {
      await api.delete(`/api/messages/${messageId}/pin`);
      mutate((page) => page && { ...page, items: page.items.filter((p) => p.messageId !== messageId) });
    },
    [api, mutate],
  );
  return { pins, pinnedIds, pin, unpin };
}
