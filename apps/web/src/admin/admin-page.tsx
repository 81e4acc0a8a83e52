import type { AdminOrganization, AdminUser, Page, SecurityEvent, SystemStatus } from '@flux/shared';
import type { SecurityEventType } from '@flux/shared/constants';
import { type FormEvent, type ReactNode, useState } from 'react';
import { EventTypeSelect, labelOf } from '../account/security-events.js';
import { useApi } from '../api/api-context.js';
import { type Resource, useResource } from '../api/use-resource.js';
import { FormError } from '../components/field.js';
import { PageSkeleton } from '../components/skeleton.js';
import { useAction } from '../components/use-action.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { formatDate } from '../orgs/project-page.js';
import { Link } from '../router.js';
import './admin.css';

const sections = [
  ['users', 'Users'],
  ['organizations', 'Organizations'],
  ['security', 'Security events'],
  ['status', 'System status'],
] as const;
type Section = (typeof sections)[number][0];

/**
 * The admin console (platform admins): users, organizations, security events, system status.
 * Everyone else sees the same "Page not found" as any unknown address, as the API answers them 404.
 */
export default function AdminPage({ params }: { params: Record<string, string> }) {
  const me = useResource<AdminUser>('/api/admin/me');
  const section: Section = sections.find(([key]) => key === params.section)?.[0] ?? 'users';
  useDocumentTitle(me.data ? `Admin · ${sections.find(([key]) => key === section)?.[1]}` : undefined);
  if (me.error || (params.section !== undefined && !sections.some(([key]) => key === params.section)))
    return (
      <section className="page">
        <h1>Page not found</h1>
        <p className="muted">This address does not lead anywhere in FluxStudio.</p>
      </section>
    );
  if (!me.data) return <PageSkeleton />;
  return (
    <section className="page admin-console">
      <header className="page-head">
        <div>
          <h1>Admin console</h1>
          <p className="muted">Everything on this FluxStudio install. You are a platform admin.</p>
        </div>
      </header>
      <nav aria-label="Admin sections" className="admin-tabs">
        {sections.map(([key, label]) => (
          <Link key={key} to={key === 'users' ? '/admin' : `/admin/${key}`} aria-current={key === section ? 'page' : undefined}>
            {label}
          </Link>
        ))}
      </nav>
      {section === 'users' && <Users me={me.data} />}
      {section === 'organizations' && <Organizations />}
      {section === 'security' && <SecurityLog />}
      {section === 'status' && <Status />}
    </section>
  );
}

/** A search box that sets `q` on submit. */
function Search({ label, onSearch }: { label: string; onSearch: (q: string) => void }) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSearch(String(new FormData(event.currentTarget).get('q') ?? ''));
  };
  return (
    <search>
      <form onSubmit={submit} className="admin-search">
        <input type="search" name="q" aria-label={label} placeholder={label} />
        <button type="submit" className="button secondary small">
          Search
        </button>
      </form>
    </search>
  );
}

/** A card with a title, its tools (search, filters), a notice, and a table of one page (or why there is none). */
function Listing<T extends { id: string }>({
  id,
  title,
  tools,
  notice,
  page,
  empty,
  columns,
  row,
}: {
  id: string;
  title: string;
  tools: ReactNode;
  notice?: ReactNode;
  page: Resource<Page<T>>;
  empty: string;
  /** Header cells; null for a column named for screen readers only ("Actions"). */
  columns: Array<string | { hidden: string }>;
  row: (item: T) => ReactNode;
}) {
  const items = page.data?.items ?? [];
  return (
    <section className="card" aria-labelledby={id}>
      <div className="pane-head">
        <h2 id={id}>{title}</h2>
        {tools}
      </div>
      {notice}
      {page.error && <p className="form-error">{page.error.message}</p>}
      {page.data && items.length === 0 && <p className="muted">{empty}</p>}
      {items.length > 0 && (
        <table className="table" aria-labelledby={id}>
          <thead>
            <tr>
              {columns.map((column) =>
                typeof column === 'string' ? (
                  <th key={column} scope="col">
                    {column}
                  </th>
                ) : (
                  <th key={column.hidden} scope="col">
                    <span className="visually-hidden">{column.hidden}</span>
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>{items.map(row)}</tbody>
        </table>
      )}
    </section>
  );
}

function Users({ me }: { me: AdminUser }) {
  const api = useApi();
  const [q, setQ] = useState('');
  const users = useResource<Page<AdminUser>>(`/api/admin/users?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);

  const act = async (path: string, message: string) => {
    setDone(null);
    if (await action.run(() => api.post(path))) setDone(message);
    users.reload();
  };

  return (
    <Listing
      id="admin-users"
      title="Users"
      tools={<Search label="Search by name or email" onSearch={setQ} />}
      notice={
        <>
          <FormError error={action.error} />
          {done && (
            <p role="status" className="notice">
              {done}
            </p>
          )}
        </>
      }
      page={users}
      empty="No account matches."
      columns={['Name', 'Email', 'Status', 'Sessions', 'Joined', { hidden: 'Actions' }]}
      row={(u) => (
        <tr key={u.id}>
          <td>
            {u.name} {u.isAdmin && <span className="pill">admin</span>}
          </td>
          <td>{u.email}</td>
          <td>{u.disabledAt ? <span className="pill warn">disabled</span> : <span className="pill ok">active</span>}</td>
          <td>{u.activeSessions}</td>
          <td>
            <time dateTime={u.createdAt}>{formatDate(u.createdAt)}</time>
          </td>
          <td className="admin-actions">
            {u.id !== me.id && (
              <>
                <button
                  type="button"
                  className="button link small"
                  aria-label={`Sign out ${u.name} everywhere`}
                  onClick={() => act(`/api/admin/users/${u.id}/sign-out`, `${u.name} was signed out everywhere.`)}
                >
                  Sign out everywhere
                </button>
                {u.disabledAt ? (
                  <button
                    type="button"
                    className="button link small"
                    aria-label={`Enable ${u.name}`}
                    onClick={() => act(`/api/admin/users/${u.id}/enable`, `${u.name} can sign in again.`)}
                  >
                    Enable
                  </button>
                ) : (
                  <button
                    type="button"
                    className="button link small danger"
                    aria-label={`Disable ${u.name}`}
                    onClick={() =>
                      window.confirm(`Disable ${u.name}? They are signed out everywhere at once and cannot sign in until enabled.`) &&
                      act(`/api/admin/users/${u.id}/disable`, `${u.name} was disabled and signed out everywhere.`)
                    }
                  >
                    Disable
                  </button>
                )}
              </>
            )}
          </td>
        </tr>
      )}
    />
  );
}

function Organizations() {
  const [q, setQ] = useState('');
  const organizations = useResource<Page<AdminOrganization>>(`/api/admin/organizations?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  return (
    <Listing
      id="admin-orgs"
      title="Organizations"
      tools={<Search label="Search by name or slug" onSearch={setQ} />}
      page={organizations}
      empty="No organization matches."
      columns={['Name', 'Slug', 'Owners', 'Members', 'Projects', 'Created']}
      row={(o) => (
        <tr key={o.id}>
          <td>{o.name}</td>
          <td>/{o.slug}</td>
          <td>{o.owners.map((owner) => `${owner.name} <${owner.email}>`).join(', ')}</td>
          <td>{o.members}</td>
          <td>{o.projects}</td>
          <td>
            <time dateTime={o.createdAt}>{formatDate(o.createdAt)}</time>
          </td>
        </tr>
      )}
    />
  );
}

function SecurityLog() {
  const [type, setType] = useState<SecurityEventType | ''>('');
  const [userId, setUserId] = useState('');
  const query = new URLSearchParams({ limit: '100' });
  if (type) query.set('type', type);
  if (/^[0-9a-f-]{36}$/i.test(userId.trim())) query.set('userId', userId.trim());
  const events = useResource<Page<SecurityEvent>>(`/api/admin/security-events?${query}`);
  const filters = (
    <div className="admin-filters">
      <EventTypeSelect label="Type" all="All events" value={type} onChange={setType} />
      <label className="small">
        User id <input value={userId} onChange={(event) => setUserId(event.target.value)} placeholder="any user" size={36} />
      </label>
    </div>
  );
  return (
    <Listing
      id="admin-events"
      title="Security events"
      tools={filters}
      page={events}
      empty="No event matches."
      columns={['Event', 'User', 'Time', 'IP address']}
      row={(e) => (
        <tr key={e.id}>
          <td>{labelOf(e.type)}</td>
          <td>
            {e.userId ? (
              <button type="button" className="button link small" onClick={() => setUserId(e.userId ?? '')}>
                {e.userId.slice(0, 8)}
              </button>
            ) : (
              '—'
            )}
          </td>
          <td>
            <time dateTime={e.createdAt}>{formatDate(e.createdAt)}</time>
          </td>
          <td>{e.ip ?? '—'}</td>
        </tr>
      )}
    />
  );
}

const stateClass = (ok: boolean) => (ok ? 'pill ok' : 'pill warn');

function Status() {
  const status = useResource<SystemStatus>('/api/admin/status');
  if (status.error) return <p className="form-error">{status.error.message}</p>;
  if (!status.data) return <PageSkeleton />;
  const { release, services, database, redis, queues, migrations } = status.data;
  const schemas = [...new Set(migrations.map((m) => m.schema))];
  return (
    <div className="admin-status">
      <section className="card" aria-labelledby="status-services">
        <div className="pane-head">
          <h2 id="status-services">Services</h2>
          <button type="button" className="button secondary small" onClick={status.reload}>
            Check again
          </button>
        </div>
        <p className="muted small">
          Release {release.version}
          {release.commit ? ` · commit ${release.commit.slice(0, 12)}` : ''} · checked {formatDate(status.data.checkedAt)}
        </p>
        <table className="table" aria-labelledby="status-services">
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Version</th>
              <th scope="col">Instance</th>
              <th scope="col">Health</th>
              <th scope="col">Database</th>
              <th scope="col">Redis</th>
              <th scope="col">Up for</th>
            </tr>
          </thead>
          <tbody>
            {services.flatMap((service) =>
              service.instances.map((instance) => (
                <tr key={`${service.name}-${instance.address}`}>
                  <td>{service.name}</td>
                  <td>{service.version}</td>
                  <td>{instance.address}</td>
                  <td>
                    <span className={stateClass(instance.status === 'ok')}>{instance.status}</span>
                  </td>
                  <td>{instance.db ?? '—'}</td>
                  <td>{instance.redis ?? '—'}</td>
                  <td>{instance.uptimeSeconds === null ? '—' : `${Math.round(instance.uptimeSeconds / 60)} min`}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </section>
      <section className="card" aria-labelledby="status-stores">
        <h2 id="status-stores">Stores</h2>
        <ul className="list">
          <li>
            PostgreSQL {database.version ?? ''} <span className={stateClass(database.status === 'ok')}>{database.status}</span>
          </li>
          <li>
            Redis {redis.version ?? ''} <span className={stateClass(redis.status === 'ok')}>{redis.status}</span>
          </li>
        </ul>
      </section>
      <section className="card" aria-labelledby="status-queues">
        <h2 id="status-queues">Queues</h2>
        <table className="table" aria-labelledby="status-queues">
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Service</th>
              <th scope="col">Waiting</th>
              <th scope="col">Active</th>
              <th scope="col">Delayed</th>
              <th scope="col">Failed</th>
            </tr>
          </thead>
          <tbody>
            {queues.map((q) => (
              <tr key={`${q.service}-${q.name}`}>
                <td>{q.name}</td>
                <td>{q.service}</td>
                <td>{q.waiting}</td>
                <td>{q.active}</td>
                <td>{q.delayed}</td>
                <td>{q.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card" aria-labelledby="status-migrations">
        <h2 id="status-migrations">Applied migrations</h2>
        {schemas.map((schema) => (
          <details key={schema}>
            <summary>
              {schema}: {migrations.filter((m) => m.schema === schema).length} applied, latest{' '}
              <code>{migrations.filter((m) => m.schema === schema).at(-1)?.name}</code>
            </summary>
            <ul className="list small">
              {migrations
                .filter((m) => m.schema === schema)
                .map((m) => (
                  <li key={m.name}>
                    <code>{m.name}</code> <span className="muted">· {formatDate(m.appliedAt)}</span>
                  </li>
                ))}
            </ul>
          </details>
        ))}
      </section>
    </div>
  );
}
