import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import { useApi } from '../api/api-context.js';
import { useResource } from '../api/use-resource.js';
import { useAuth } from '../auth/auth-context.js';
import type { Conversation, Message, MessagingServerEvents } from './types.js';

/** A server event with its payload, narrowed by `event`. */
export type ServerEvent = {
  [E in keyof MessagingServerEvents]: { event: E; payload: MessagingServerEvents[E] };
}[keyof MessagingServerEvents];
/** What listeners hear: server events, plus `connected` (a fresh load is due) and `resync` (sync was unavailable). */
export type LocalEvent = ServerEvent | { event: 'connected' } | { event: 'resync' };
type Listener = (event: LocalEvent) => void;

interface Messaging {
  socket: Socket | null;
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
  /** What each open view has seen, so a reconnect asks only for what it missed. */
  reportSeq: (conversationId: string, seq: number) => void;
}

const MessagingContext = createContext<Messaging | null>(null);

const serverEvents = [
  'message:new',
  'message:updated',
  'message:deleted',
  'reaction:updated',
  'typing',
  'presence',
  'read',
  'notification:new',
  'conversation:new',
  'conversation:removed',
] as const;

/** One Socket.IO connection per signed-in tab, shared by the sidebar, the bell and the open conversation. */
export function MessagingProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const { user, accessToken } = useAuth();
  const list = useResource<{ items: Conversation[] }>('/api/conversations');
  const [socket, setSocket] = useState<Socket | null>(null);
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

  // The list as last rendered, for the socket handlers (which are set up once per session).
  const listState = useRef({ data: list.data, loading: list.loading });
  listState.current = { data: list.data, loading: list.loading };

  const onMessage = useCallback(
    (message: Message) => {
      seen.current.set(message.conversationId, Math.max(seen.current.get(message.conversationId) ?? 0, message.seq));
      const { data, loading } = listState.current;
      // A list still loading may have been read before this message was committed, and a
      // conversation not in it is new to us: ask the server again rather than patch.
      if (!data || loading || !data.items.some((c) => c.id === message.conversationId)) {
        list.reload();
        return;
      }
      list.mutate((current) => {
        if (!current) return current;
        const items = current.items.map((c) => {
          if (c.id !== message.conversationId) return c;
          if (c.lastMessage && c.lastMessage.seq >= message.seq) return c;
          const mine = message.authorId === user?.id;
          const unread = mine || activeId.current === c.id ? c.unreadCount : c.unreadCount + 1;
          return { ...c, lastMessage: message, unreadCount: unread };
        });
        return { ...current, items: sortByActivity(items) };
      });
    },
    [list.mutate, list.reload, user?.id],
  );

  useEffect(() => {
    if (!hasToken) return;
    const s = io({
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
      list.reload();
      emitLocal({ event: 'connected' });
      const conversations = Object.fromEntries(seen.current);
      if (Object.keys(conversations).length === 0) {
        emitLocal({ event: 'resync' });
        return;
      }
      // Whatever was sent while this tab was away arrives here, once, in seq order.
      s.timeout(10_000).emit('sync', { conversations }, (error: Error | null, answer?: { ok?: boolean; messages?: Message[] }) => {
        if (error || !Array.isArray(answer?.messages)) {
          // Sync unavailable: the open conversation reloads its newest page instead.
          emitLocal({ event: 'resync' });
          return;
        }
        for (const message of [...answer!.messages!].sort((a, b) => a.seq - b.seq)) {
          seen.current.set(message.conversationId, Math.max(seen.current.get(message.conversationId) ?? 0, message.seq));
          emitLocal({ event: 'message:new', payload: message });
        }
        // Unread counts after time away are the server's to say.
        if (answer!.messages!.length > 0) list.reload();
      });
    });
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
    for (const event of serverEvents) s.on(event, (payload: unknown) => emitLocal({ event, payload } as ServerEvent));
    s.on('message:new', (message: Message) => onMessage(message));
    s.on('conversation:new', () => list.reload());
    // Removed from a group (or an organization's project): it leaves the sidebar at once.
    s.on('conversation:removed', ({ id }: { id: string }) => {
      seen.current.delete(id);
      list.mutate((current) => current && { ...current, items: current.items.filter((c) => c.id !== id) });
    });
    s.on('presence', (p: { userId: string; status: 'online' | 'offline' }) => setPresence((all) => ({ ...all, [p.userId]: p.status })));
    setSocket(s);
    return () => {
      s.removeAllListeners();
      s.disconnect();
      setSocket(null);
      setConnected(false);
    };
    // The socket lives as long as the session; a refreshed token is picked up by `auth` above.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hasToken, api]);

  // Seed what has been seen with the list's last messages, so sync covers conversations not open.
  useEffect(() => {
    for (const c of list.data?.items ?? []) {
      if (c.lastMessage) seen.current.set(c.id, Math.max(seen.current.get(c.id) ?? 0, c.lastMessage.seq));
    }
  }, [list.data]);

  // Each read position goes to the server once; the list's badge clears at the same time.
  const readSent = useRef(new Map<string, number>());
  const mutateList = list.mutate;
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
  const reportSeq = useCallback((conversationId: string, seq: number) => {
    seen.current.set(conversationId, Math.max(seen.current.get(conversationId) ?? 0, seq));
  }, []);

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
    }),
    [socket, connected, wasConnected, list.data, list.reload, presence, markRead, listen, setActiveConversation, reportSeq],
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
