import type { SessionInfo } from '@flux/shared';
import { useApi } from '../api/api-context.js';
import { useResource } from '../api/use-resource.js';
import { useAuth } from '../auth/auth-context.js';
import { formatDate } from '../orgs/project-page.js';
import { navigate } from '../router.js';

export function SessionsSection() {
  const api = useApi();
  const { signOut } = useAuth();
  const sessions = useResource<{ items: SessionInfo[] }>('/api/auth/sessions');

  const revoke = async (session: SessionInfo) => {
    await api.delete(`/api/auth/sessions/${session.id}`);
    if (session.current) {
      await signOut();
      navigate('/signin', { replace: true });
    } else sessions.reload();
  };

  const signOutEverywhere = async () => {
    await api.post('/api/auth/logout-all').catch(() => undefined);
    await signOut();
    navigate('/signin', { replace: true });
  };

  return (
    <section className="card" aria-labelledby="sessions-heading">
      <div className="pane-head">
        <h2 id="sessions-heading">Active sessions</h2>
        <button type="button" className="button secondary small" onClick={signOutEverywhere}>
          Sign out everywhere
        </button>
      </div>
      {sessions.error && <p className="form-error">{sessions.error.message}</p>}
      <table className="table" aria-labelledby="sessions-heading">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">IP address</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last active</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(sessions.data?.items ?? []).map((s) => (
            <tr key={s.id}>
              <td>
                {describeAgent(s.userAgent)} {s.current && <span className="pill ok">this device</span>}
              </td>
              <td>{s.ip ?? '—'}</td>
              <td>{formatDate(s.createdAt)}</td>
              <td>{formatDate(s.lastUsedAt)}</td>
              <td>
                <button type="button" className="button link small danger" onClick={() => revoke(s)}>
                  {s.current ? 'Sign out' : 'Revoke'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function describeAgent(agent: string | null): string {
  if (!agent) return 'Unknown device';
  const browser = /(Firefox|Edg|Chrome|Chromium|Safari)\/[\d.]+/.exec(agent)?.[1] ?? 'Browser';
  const os = /(Windows|Mac OS X|Linux|Android|iPhone|iPad)/.exec(agent)?.[1] ?? '';
  return `${browser === 'Edg' ? 'Edge' : browser}${os ? ` on ${os.replace('Mac OS X', 'macOS')}` : ''}`;
}
