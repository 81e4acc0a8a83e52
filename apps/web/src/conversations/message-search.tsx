import type { Page } from '@flux/shared';
import { useEffect, useId, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { useUser } from '../auth/auth-context.js';
import { formatDate } from '../orgs/project-page.js';
import { Link } from '../router.js';
import { conversationTitle } from './conversation-title.js';
import { useMessaging } from './messaging-context.js';
import { plainPreview } from './plain-text.js';
import type { Message } from './types.js';

/** Full-text search over the person's conversations, as they type (debounced). */
export function MessageSearch() {
  const api = useApi();
  const me = useUser();
  const { conversations } = useMessaging();
  const id = useId();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) {
      setResults(null);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api
        .get<Page<Message>>(`/api/messages/search?q=${encodeURIComponent(q)}&limit=20`, controller.signal)
        .then((page) => {
          setResults(page.items);
          setError(null);
        })
        .catch((caught: unknown) => !controller.signal.aborted && setError(caught instanceof ApiError ? caught.message : 'Search failed.'));
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, query]);

  const titleOf = (conversationId: string) => {
    const conversation = conversations.find((c) => c.id === conversationId);
    return conversation ? conversationTitle(conversation, me.id) : 'Conversation';
  };

  return (
    <div className="message-search">
      <label htmlFor={id} className="visually-hidden">
        Search messages
      </label>
      <input id={id} type="search" placeholder="Search messages…" value={query} onChange={(e) => setQuery(e.target.value)} />
      {error && <p className="field-error">{error}</p>}
      {results && (
        <ul className="search-results" aria-label="Search results">
          {results.length === 0 && <li className="muted small">No messages match.</li>}
          {results.map((m) => (
            <li key={m.id}>
              <Link to={`/conversations/${m.conversationId}`} className="conversation-item" onClick={() => setQuery('')}>
                <span className="conversation-row">
                  <strong className="truncate">{titleOf(m.conversationId)}</strong>
                  <span className="muted small">{formatDate(m.createdAt)}</span>
                </span>
                <span className="small truncate">
                  {m.author?.name ? `${m.author.name}: ` : ''}
                  {plainPreview(m.content)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
