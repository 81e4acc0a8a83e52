import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { useResource } from '../api/use-resource.js';
import { useMessaging } from '../conversations/messaging-context.js';
import type { Notification } from '../conversations/types.js';
import { navigate } from '../router.js';

/** The bell: live unread count from `notification:new`, a list to open, mark read one or all. */
export function NotificationsBell() {
  const api = useApi();
  const { listen } = useMessaging();
  const unread = useResource<{ items: Notification[] }>('/api/notifications?unread=true');
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const items = unread.data?.items ?? [];

  useEffect(
    () =>
      listen((local) => {
        // Whatever was created before the socket joined its rooms is in a fresh load.
        if (local.event === 'connected') return unread.reload();
        if (local.event !== 'notification:new') return;
        unread.mutate((current) => ({ ...current, items: [local.payload, ...(current?.items ?? [])] }));
      }),
    [listen, unread.mutate, unread.reload],
  );

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !panel.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  const markRead = async (notification: Notification) => {
    unread.mutate((current) => current && { ...current, items: current.items.filter((n) => n.id !== notification.id) });
    await api.post(`/api/notifications/${notification.id}/read`).catch(() => unread.reload());
    const conversationId = notification.data?.conversationId;
    if (typeof conversationId === 'string') {
      setOpen(false);
      navigate(`/conversations/${conversationId}`);
    }
  };

  const markAll = async () => {
    unread.mutate((current) => current && { ...current, items: [] });
    await api.post('/api/notifications/read-all').catch(() => unread.reload());
  };

  return (
    <div className="bell" ref={panel}>
      <button
        type="button"
        className="icon-button"
        aria-label={`Notifications, ${items.length} unread`}
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen((o) => !o)}
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        {items.length > 0 && (
          <span className="badge bell-badge" data-testid="bell-count">
            {items.length > 99 ? '99+' : items.length}
          </span>
        )}
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Notifications">
          <div className="popover-head">
            <strong>Notifications</strong>
            {items.length > 0 && (
              <button type="button" className="button link small" onClick={markAll}>
                Mark all read
              </button>
            )}
          </div>
          {items.length === 0 ? (
            <p className="muted small">You are all caught up.</p>
          ) : (
            <ul className="notification-list">
              {items.map((n) => (
                <li key={n.id}>
                  <button type="button" className="notification" onClick={() => markRead(n)}>
                    <span>{n.title ?? describe(n)}</span>
                    {n.body && <span className="muted small truncate">{n.body}</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

function describe(notification: Notification): string {
  switch (notification.type) {
    case 'mention':
      return 'You were mentioned';
    case 'direct_message':
      return 'New direct message';
    case 'added_to_conversation':
      return 'You were added to a conversation';
    default:
      return 'New activity';
  }
}
