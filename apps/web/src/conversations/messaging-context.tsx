import { createContext, useCallback, useContext, useEffect, useEffectEvent, useMemo, useRef, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import { useApi } from '../api/api-context.js';
import { useResource } from '../api/use-resource.js';
import { useAuth } from '../auth/auth-context.js';
import type { ClientToServerEvents, Conversation, Message, ServerToClientEvents, ServerToClientPayloads } from './types.js';

/** The one socket, typed by the contract's maps in both directions. */
export type MessagingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A server event with its payload, narrowed by `event`. */
export type ServerEvent = {
  [E in keyof ServerToClientPayloads]: { event: E; payload: ServerToClientPayloads[E] };
}[keyof ServerToClientPayloads];
/** What listeners hear: server events, plus `connected` (a fresh load is due) and `resync` (sync was unavailable). */
export type LocalEvent = ServerEvent | { event: 'connected' } | { event: 'resync' };
type Listener = (event: LocalEvent) => void;

interface Messaging {
  socket: MessagingSocket | null;
  /** Connected now; `wasConnected` tells a first connect from a drop (for the offline banner). */
  connected: boolean;
  wasConnected: boolean;
  conversations: Conversation[];
  conversationsLoaded: boolean;
  presence: Record<string, 'online' | 'offline'>;
  /** Every server event, and the messages a reconnect `sync` recovered (as `message:new`). */
  listen: (listener: Listener) => () => void;
  /** The conversation on screen: its messages do not count as unread. */
  setActiveConversation: (id: string | null) => void;
  markRead: (conversationId: string, seq: number) => void;
  reloadConversations: () => void;
  /** Applies a change the server answered (rename, mute, archive, members) before its live event arrives. */
  patchConversation: (id: string, fields: Partial<Conversation>) => void;
  /** What each open view has seen, so a reconnect asks only for what it missed. */
  reportSeq: (conversationId: string, seq: number) => void;
}

const MessagingContext = createContext<Messaging | null>(null);

/** One Socket.IO connection per signed-in tab, shared by the sidebar, the bell and the open conversation. */
export function MessagingProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const { user, accessToken, signOut } = useAuth();
  const list = useResource<{ items: Conversation[] }>('/api/conversations');
  const [socket, setSocket] = useState<MessagingSocket | null>(null);
  const [connected, setConnected] = useState(false);
  const [wasConnected, setWasConnected] = useState(false);
  const [presence, setPresence] = useState<Record<string, 'online' | 'offline'>>({});
  const listeners = useRef(new Set<Listener>());
  const activeId = useRef<string | null>(null);
  const seen = useRef(new Map<string, number>());
  const hasToken = accessToken !== null;

  const emitLocal = useCallback((event: LocalEvent) => {
    for (const listener of listeners.current) listener(event);
  }, []);
  /** The highest seq this tab has seen per conversation: what a reconnect's sync starts from. */
  const noteSeen = useCallback((conversationId: string, seq: number) => {
    seen.current.set(conversationId, Math.max(seen.current.get(conversationId) ?? 0, seq));
  }, []);

  const { reload: reloadList, mutate: mutateList } = list;
  const patchConversation = useCallback(
    (id: string, fields: Partial<Conversation>) =>
      mutateList((current) => current && { ...current, items: current.items.map((c) => (c.id === id ? { ...c, ...fields } : c)) }),
    [mutateList],
  );

  // Reads the list as last rendered: the socket handlers are set up once per session.
  const onMessage = useEffectEvent((message: Message) => {
    noteSeen(message.conversationId, message.seq);
    const { data, loading } = list;
    // A list still loading may have been read before this message was committed, and a
    // conversation not in it is new to us: ask the server again rather than patch.
    if (!data || loading || !data.items.some((c) => c.id === message.conversationId)) {
      reloadList();
      return;
    }
    mutateList((current) => {
      if (!current) return current;
      const items = current.items.map((c) => {
        if (c.id !== message.conversationId) return c;
        if (c.lastMessage && c.lastMessage.seq >= message.seq) return c;
        const mine = message.authorId === user?.id;
        const unread = mine || activeId.current === c.id ? c.unreadCount : c.unreadCount + 1;
        // A new message brings an archived conversation back to the list, unless it is muted (as the server says).
        return { ...c, lastMessage: message, unreadCount: unread, archived: c.archived && c.muted };
      });
      return { ...current, items: sortByActivity(items) };
    });
  });

  // The session was signed out elsewhere (logout-all, a password reset, a revoked session): its
  // refresh token is gone too, so this tab signs out instead of reconnecting.
  const onRevoked = useEffectEvent(() => {
    void signOut();
  });

  // The socket lives as long as the session; a refreshed token is picked up by `auth` below.
  useEffect(() => {
    if (!hasToken) return;
    const s: MessagingSocket = io({
      path: '/socket.io/',
      transports: ['websocket'],
      // A function, so every reconnect presents the current token, not the one from page load.
      auth: (cb) => cb({ token: api.tokens.token ?? '' }),
    });
    s.on('connect', () => {
      setConnected(true);
      setWasConnected(true);
      // The server put this socket in its rooms during the handshake: anything committed from now
      // on is broadcast to us, anything before is in a list or page loaded from now on. So load
      // the list again, and let open conversations catch up (sync, or their newest page).
      reloadList();
      emitLocal({ event: 'connected' });
      if (seen.current.size === 0) {
        emitLocal({ event: 'resync' });
        return;
      }
      catchUp(new Map(seen.current));
    });
    /**
     * Whatever was sent while this tab was away arrives here, once, in seq order, a page at a time:
     * each answer moves the positions on, and `hasMore` asks for the next page until caught up.
     * `updated` carries earlier messages edited or deleted meanwhile; they replace the copies shown.
     * The positions are the catch-up's own: a live message arriving meanwhile must not skip the gap.
     */
    const catchUp = (positions: Map<string, number>, received = 0): void => {
      s.timeout(10_000).emit('sync', { conversations: Object.fromEntries(positions) }, (error, answer) => {
        if (error || !answer.ok) {
          // Sync unavailable: the open conversation reloads its newest page instead.
          emitLocal({ event: 'resync' });
          return;
        }
        for (const message of answer.updated) emitLocal({ event: 'message:updated', payload: message });
        for (const message of [...answer.messages].sort((a, b) => a.seq - b.seq)) {
          positions.set(message.conversationId, Math.max(positions.get(message.conversationId) ?? 0, message.seq));
          noteSeen(message.conversationId, message.seq);
          emitLocal({ event: 'message:new', payload: message });
        }
        const total = received + answer.messages.length + answer.updated.length;
        // Only a page that moved a position on can lead to a different next page.
        if (answer.hasMore && answer.messages.length > 0 && s.connected) {
          catchUp(positions, total);
          return;
        }
        // Unread counts after time away are the server's to say.
        if (total > 0) reloadList();
      });
    };
    s.on('disconnect', () => setConnected(false));
    s.on('connect_error', (error) => {
      setConnected(false);
      // An expired token: refresh it and try again; other errors retry on their own.
      if (error.message === 'unauthorized') {
        api.tokens
          .refresh()
          .then((fresh) => fresh && s.connect())
          .catch(() => undefined);
      }
    });
    // Every server event of the contract reaches the listeners, after what the provider itself does
    // with it. Keyed by the map: an event added to the contract fails to compile until it is here.
    const handlers = {
      'message:new': (payload) => {
        emitLocal({ event: 'message:new', payload });
        onMessage(payload);
      },
      'message:updated': (payload) => emitLocal({ event: 'message:updated', payload }),
      'message:deleted': (payload) => emitLocal({ event: 'message:deleted', payload }),
      'reaction:updated': (payload) => emitLocal({ event: 'reaction:updated', payload }),
      typing: (payload) => emitLocal({ event: 'typing', payload }),
      presence: (payload) => {
        emitLocal({ event: 'presence', payload });
        setPresence((all) => ({ ...all, [payload.userId]: payload.status }));
      },
      read: (payload) => emitLocal({ event: 'read', payload }),
      'notification:new': (payload) => emitLocal({ event: 'notification:new', payload }),
      'conversation:new': (payload) => {
        emitLocal({ event: 'conversation:new', payload });
        reloadList();
      },
      // Removed from a group (or an organization's project): it leaves the sidebar at once.
      'conversation:removed': (payload) => {
        emitLocal({ event: 'conversation:removed', payload });
        seen.current.delete(payload.id);
        mutateList((current) => current && { ...current, items: current.items.filter((c) => c.id !== payload.id) });
      },
      'session:revoked': (payload) => {
        emitLocal({ event: 'session:revoked', payload });
        onRevoked();
      },
      // Renamed, members changed (to the room), or my own mute / archive from another tab (to me).
      'conversation:updated': (payload) => {
        emitLocal({ event: 'conversation:updated', payload });
        patchConversation(payload.id, payload);
      },
      'message:pinned': (payload) => emitLocal({ event: 'message:pinned', payload }),
      'message:unpinned': (payload) => emitLocal({ event: 'message:unpinned', payload }),
    } satisfies ServerToClientEvents;
    for (const event of Object.keys(handlers) as (keyof ServerToClientEvents)[]) s.on(event, handlers[event]);
    setSocket(s);
    return () => {
      s.removeAllListeners();
      s.disconnect();
      setSocket(null);
      setConnected(false);
    };
  }, [hasToken, api, emitLocal, noteSeen, reloadList, mutateList, patchConversation]);

  // Seed what has been seen with the list's last messages, so sync covers conversations not open.
  useEffect(() => {
    for (const c of list.data?.items ?? []) {
      if (c.lastMessage) noteSeen(c.id, c.lastMessage.seq);
    }
  }, [list.data, noteSeen]);

  // Each read position goes to the server once; the list's badge clears at the same time.
  const readSent = useRef(new Map<string, number>());
  const markRead = useCallback(
    (conversationId: string, seq: number) => {
      if (!socket?.connected || (readSent.current.get(conversationId) ?? 0) >= seq) return;
      readSent.current.set(conversationId, seq);
      socket.emit('message:read', { conversationId, seq });
      mutateList((current) =>
        current ? { ...current, items: current.items.map((c) => (c.id === conversationId ? { ...c, unreadCount: 0 } : c)) } : current,
      );
    },
    [socket, mutateList],
  );

  // Stable functions, so consumers' effects do not re-run on every list change.
  const listen = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const setActiveConversation = useCallback((id: string | null) => {
    activeId.current = id;
  }, []);
  const reportSeq = useCallback((conversationId: string, seq: number) => noteSeen(conversationId, seq), [noteSeen]);

  const value = useMemo<Messaging>(
    () => ({
      socket,
      connected,
      wasConnected,
      conversations: list.data?.items ?? [],
      conversationsLoaded: list.data !== undefined,
      presence,
      listen,
      setActiveConversation,
      markRead,
      reloadConversations: list.reload,
      reportSeq,
      patchConversation,
    }),
    [
      socket,
      connected,
      wasConnected,
      list.data,
      list.reload,
      presence,
      markRead,
      listen,
      setActiveConversation,
      reportSeq,
      patchConversation,
    ],
  );
  return <MessagingContext.Provider value={value}>{children}</MessagingContext.Provider>;
}

function sortByActivity(items: Conversation[]): Conversation[] {
  const at = (c: Conversation) => c.lastMessage?.createdAt ?? c.createdAt ?? '';
  return [...items].sort((a, b) => at(b).localeCompare(at(a)));
}

export function useMessaging(): Messaging {
  const messaging = useContext(MessagingContext);
  if (!messaging) throw new Error('useMessaging outside <MessagingProvider>');
  return messaging;
}

export const useConversations = () => {
  const { conversations, conversationsLoaded } = useMessaging();
  return { conversations, conversationsLoaded };
};
