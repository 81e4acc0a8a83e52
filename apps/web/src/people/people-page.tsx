import type { Conversation, Page, Person } from '@flux/shared';
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { useResource } from '../api/use-resource.js';
import { useAuth } from '../auth/auth-context.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { Link, matchPath, navigate, useLocation } from '../router.js';
import { Avatar } from './avatar.js';
import './people.css';

/** Waits until typing pauses before searching: one request per pause, not per key. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** `/people` and `/people/:userId`: everyone who shares an organization with me, searchable by name, and one person's card. */
export default function PeoplePage() {
  useDocumentTitle('People');
  const { pathname } = useLocation();
  const selectedId = matchPath('/people/:userId', pathname)?.userId ?? null;
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 250);
  const people = useResource<Page<Person>>(`/api/users?limit=50${query ? `&q=${encodeURIComponent(query)}` : ''}`);

  return (
    <section className="page people-page">
      <h1>People</h1>
      <p className="muted">Everyone who shares an organization with you.</p>
      <div className="people-layout">
        <div className="people-directory">
          <div className="field">
            <label htmlFor="people-search">Search people</label>
            <input
              id="people-search"
              type="search"
              value={q}
              onChange={(e) => setQ(e.target.value)}
              placeholder="Name"
              autoComplete="off"
            />
          </div>
          {people.error && (
            <p className="form-error" role="alert">
              {people.error.message}
            </p>
          )}
          <ul className="people-list" aria-label="People" aria-busy={people.loading}>
            {(people.data?.items ?? []).map((person) => (
              <li key={person.id}>
                <Link to={`/people/${person.id}`} className="people-row" aria-current={person.id === selectedId ? 'page' : undefined}>
                  <Avatar name={person.name} avatarUrl={person.avatarUrl} />
                  <span className="truncate">{person.name}</span>
                </Link>
              </li>
            ))}
            {people.data?.items.length === 0 && (
              <li className="muted small">
                {query ? `No one named “${query}” shares an organization with you.` : 'No one yet: invite colleagues to an organization.'}
              </li>
            )}
          </ul>
        </div>
        {selectedId ? <ProfileCard userId={selectedId} /> : <p className="muted people-hint">Choose someone to see their card.</p>}
      </div>
    </section>
  );
}

/** One person: the avatar large, the name, and a direct conversation with them. */
function ProfileCard({ userId }: { userId: string }) {
  const api = useApi();
  const { user } = useAuth();
  const person = useResource<Person>(`/api/users/${userId}`);
  const [error, setError] = useState<string | null>(null);
  if (person.error)
    return (
      <p className="form-error people-card">
        {person.error.status === 404 ? 'No such person among your colleagues.' : person.error.message}
      </p>
    );
  if (!person.data) return <div className="card people-card" aria-busy="true" />;
  const me = person.data.id === user?.id;
  const message = async () => {
    setError(null);
    try {
      const conversation = await api.post<Conversation>('/api/conversations', { type: 'direct', memberIds: [person.data?.id] });
      navigate(`/conversations/${conversation.id}`);
    } catch (caught) {
      setError((caught as Error).message);
    }
  };
  return (
    <article className="card people-card" aria-labelledby="profile-card-name">
      <Avatar name={person.data.name} avatarUrl={person.data.avatarUrl} size="large" />
      <h2 id="profile-card-name">{person.data.name}</h2>
      {me ? (
        <Link to="/account" className="button secondary">
          Edit your profile
        </Link>
      ) : (
        <button type="button" className="button" onClick={message}>
          Send a message
        </button>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
