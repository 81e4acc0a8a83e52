import type { Page, UserSummary } from '@flux/shared';
import { useId, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { useResource } from '../api/use-resource.js';
import { useUser } from '../auth/auth-context.js';
import { navigate } from '../router.js';
import { useMessaging } from './messaging-context.js';
import { SidePanel } from './side-panel.js';
import type { Conversation } from './types.js';

/**
 * A group's name and people: any member renames it or leaves; its admins add people who share an
 * organization with them (`GET /api/users?q=`) and remove members. Everyone in it sees the change live.
 */
export function MembersPanel({ conversation, onClose }: { conversation: Conversation; onClose: () => void }) {
  const api = useApi();
  const me = useUser();
  const { patchConversation, reloadConversations } = useMessaging();
  const [name, setName] = useState(conversation.name ?? '');
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameId = useId();
  const searchId = useId();
  const admin = conversation.members.some((m) => m.userId === me.id && m.role === 'admin');
  const memberIds = new Set(conversation.members.map((m) => m.userId));
  const search = useResource<Page<UserSummary>>(admin && query.trim() ? `/api/users?q=${encodeURIComponent(query.trim())}&limit=8` : null);
  const candidates = (search.data?.items ?? []).filter((u) => !memberIds.has(u.id));

  const run = async (action: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await action();
    } catch (caught) {
      setError(caught instanceof ApiError || caught instanceof Error ? caught.message : 'That did not work.');
    } finally {
      setBusy(false);
    }
  };
  const base = `/api/conversations/${conversation.id}`;

  return (
    <SidePanel label="Members" title="Members" onClose={onClose}>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <form
        className="rename-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const updated = await api.patch<Conversation>(base, { name: name.trim() || null });
            patchConversation(conversation.id, { name: updated.name });
          });
        }}
      >
        <label htmlFor={nameId}>Group name</label>
        <div className="row">
          <input id={nameId} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="Named by its members" />
          <button type="submit" className="button small" disabled={busy || name.trim() === (conversation.name ?? '')}>
            Rename
          </button>
        </div>
      </form>
      <ul className="member-list" aria-label="People in this group">
        {conversation.members.map((m) => (
          <li key={m.userId}>
            <span className="truncate">
              {m.name || 'Someone'}
              {m.userId === me.id && ' (you)'}
            </span>
            {m.role === 'admin' && <span className="muted small">admin</span>}
            {admin && m.userId !== me.id && (
              <button
                type="button"
                className="button link small danger"
                disabled={busy}
                aria-label={`Remove ${m.name}`}
                onClick={() =>
                  run(async () => {
                    await api.delete(`${base}/members/${m.userId}`);
                    patchConversation(conversation.id, { members: conversation.members.filter((x) => x.userId !== m.userId) });
                  })
                }
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {admin ? (
        <div className="add-people">
          <label htmlFor={searchId}>Add people</label>
          <input
            id={searchId}
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Search by name"
            autoComplete="off"
          />
          {query.trim() && !search.loading && candidates.length === 0 && (
            <p className="muted small">Nobody else by that name in your organizations.</p>
          )}
          <ul className="member-list" aria-label="People to add">
            {candidates.map((u) => (
              <li key={u.id}>
                <span className="truncate">{u.name}</span>
                <button
                  type="button"
                  className="button small"
                  disabled={busy}
                  aria-label={`Add ${u.name}`}
                  onClick={() =>
                    run(async () => {
                      const updated = await api.post<Conversation>(`${base}/members`, { memberIds: [u.id] });
                      patchConversation(conversation.id, { members: updated.members });
                      setQuery('');
                    })
                  }
                >
                  Add
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="muted small">Only the group's admins add or remove people.</p>
      )}
      <button
        type="button"
        className="button secondary small danger"
        disabled={busy}
        onClick={() =>
          window.confirm('Leave this group? You will no longer see its messages.') &&
          void run(async () => {
            await api.delete(`${base}/members/${me.id}`);
            reloadConversations();
            navigate('/conversations');
          })
        }
      >
        Leave group
      </button>
    </SidePanel>
  );
}
