import type { Member, Page } from '@flux/shared';
import { useId, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { useResource } from '../api/use-resource.js';
import { useUser } from '../auth/auth-context.js';
import { FormError } from '../components/field.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { useForm } from '../components/use-form.js';
import { formatDate } from '../orgs/project-page.js';
import { useWorkspace } from '../orgs/workspace-context.js';
import { Link, navigate } from '../router.js';
import { conversationTitle } from './conversation-title.js';
import { ConversationView } from './conversation-view.js';
import { MessageSearch } from './message-search.js';
import { plainPreview } from './plain-text.js';
import { useMessaging } from './messaging-context.js';
import type { Conversation } from './types.js';
import { EmptyState } from '../components/empty-state.js';

export default function ConversationsPage({ params }: { params: Record<string, string> }) {
  const { conversations, conversationsLoaded } = useMessaging();
  const me = useUser();
  const [creating, setCreating] = useState(false);
  const activeId = params.conversationId;
  const active = conversations.find((c) => c.id === activeId);
  // Muted conversations do not add to the title's count; archived ones wait in their own section.
  const unread = conversations.reduce((sum, c) => sum + (c.muted ? 0 : c.unreadCount), 0);
  const listed = conversations.filter((c) => !c.archived);
  const archived = conversations.filter((c) => c.archived);
  useDocumentTitle(`${unread > 0 ? `(${unread}) ` : ''}${active ? conversationTitle(active, me.id) : 'Conversations'}`);

  return (
    <div className="conversations">
      <section className="conversation-list" aria-label="Conversations">
        <div className="pane-head">
          <h1>Conversations</h1>
          <button type="button" className="button small" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
            New
          </button>
        </div>
        <MessageSearch />
        {creating && <NewConversation onDone={() => setCreating(false)} />}
        <ul aria-label="Active conversations">
          {listed.map((c) => (
            <li key={c.id}>
              <ConversationLink conversation={c} active={c.id === activeId} myId={me.id} />
            </li>
          ))}
          {conversationsLoaded && conversations.length === 0 && (
            <li className="empty">
              <EmptyState title="No conversations yet">
                Press New to talk with people from your organization; a project’s chat opens from its page.
              </EmptyState>
            </li>
          )}
        </ul>
        {archived.length > 0 && (
          <details className="archived-section" open={active?.archived}>
            <summary>Archived ({archived.length})</summary>
            <ul aria-label="Archived conversations">
              {archived.map((c) => (
                <li key={c.id}>
                  <ConversationLink conversation={c} active={c.id === activeId} myId={me.id} />
                </li>
              ))}
            </ul>
          </details>
        )}
      </section>
      {activeId ? (
        <ConversationView key={activeId} conversationId={activeId} />
      ) : (
        <section className="conversation-empty muted">Pick a conversation, or start a new one.</section>
      )}
    </div>
  );
}

function ConversationLink({ conversation: c, active, myId }: { conversation: Conversation; active: boolean; myId: string }) {
  return (
    <Link
      to={`/conversations/${c.id}`}
      className={`conversation-item${c.muted ? ' is-muted' : ''}`}
      aria-current={active ? 'page' : undefined}
    >
      <span className="conversation-row">
        <strong className="truncate">{conversationTitle(c, myId)}</strong>
        {c.lastMessage && <span className="muted small">{formatDate(c.lastMessage.createdAt)}</span>}
      </span>
      <span className="conversation-row">
        <span className="muted small truncate">{preview(c)}</span>
        {c.muted && <span className="visually-hidden">muted</span>}
        {c.unreadCount > 0 && (
          <span className={`badge${c.muted ? ' quiet' : ''}`} role="img" aria-label={`${c.unreadCount} unread`}>
            {c.unreadCount}
          </span>
        )}
      </span>
    </Link>
  );
}

function preview(c: Conversation): string {
  const m = c.lastMessage;
  if (!m) return 'No messages yet';
  if (m.deletedAt) return 'Message deleted';
  return `${m.author?.name ? `${m.author.name}: ` : ''}${plainPreview(m.content) || (m.attachments?.length ? 'Attachment' : '')}`;
}

/** Start a direct or group conversation with people from the current organization. */
function NewConversation({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const me = useUser();
  const { organization } = useWorkspace();
  const { reloadConversations } = useMessaging();
  const members = useResource<Page<Member>>(organization ? `/api/organizations/${organization.id}/members` : null);
  const others = (members.data?.items ?? []).filter((m) => m.userId !== me.id);
  const nameId = useId();
  const form = useForm(
    async (values) => {
      const memberIds = others.filter((m) => values[`member-${m.userId}`]).map((m) => m.userId);
      if (memberIds.length === 0) throw new ApiError(400, 'validation_error', 'Choose at least one person.');
      const group = memberIds.length > 1 || Boolean(values.name);
      return api.post<Conversation>('/api/conversations', {
        type: group ? 'group' : 'direct',
        memberIds,
        ...(group && values.name ? { name: values.name } : {}),
      });
    },
    (conversation) => {
      reloadConversations();
      onDone();
      navigate(`/conversations/${conversation.id}`);
    },
  );
  return (
    <form onSubmit={form.onSubmit} className="new-conversation card" noValidate>
      <FormError error={form.error} />
      <fieldset>
        <legend>People</legend>
        {others.length === 0 && <p className="muted small">Invite people to your organization first.</p>}
        {others.map((m) => (
          <label key={m.userId} className="checkbox">
            <input type="checkbox" name={`member-${m.userId}`} /> {m.name}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={nameId}>Group name (optional)</label>
        <input id={nameId} name="name" />
      </div>
      <button type="submit" className="button small" disabled={form.busy}>
        Start conversation
      </button>
    </form>
  );
}
