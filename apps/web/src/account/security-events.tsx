import type { Page, SecurityEvent } from '@flux/shared';
import { useResource } from '../api/use-resource.js';
import { formatDate } from '../orgs/project-page.js';
import { describeAgent } from './sessions-section.js';

const labels: Record<string, string> = {
  signup: 'Account created',
  login_success: 'Signed in',
  login_failure: 'Failed sign-in',
  login_failed: 'Failed sign-in',
  logout: 'Signed out',
  logout_all: 'Signed out everywhere',
  refresh: 'Session refreshed',
  refresh_reuse: 'Reuse of an old session token (session ended)',
  session_revoked: 'Session revoked',
  lockout: 'Sign-ins paused after failed attempts',
  mfa_enabled: 'Two-step verification turned on',
  mfa_disabled: 'Two-step verification turned off',
  password_reset: 'Password reset',
  password_reset_requested: 'Password reset requested',
  email_verified: 'Email verified',
};

export function SecurityEvents() {
  const events = useResource<Page<SecurityEvent>>('/api/auth/security-events?limit=20');
  return (
    <section className="card" aria-labelledby="events-heading">
      <h2 id="events-heading">Recent security activity</h2>
      {events.error && <p className="form-error">{events.error.message}</p>}
      <ul className="list events">
        {(events.data?.items ?? []).map((e) => (
          <li key={e.id}>
            <strong>{labels[e.type] ?? e.type.replace(/[_.]/g, ' ')}</strong>
            <span className="muted small">
              {' '}
              {formatDate(e.createdAt)} · {e.ip ?? 'unknown IP'} · {describeAgent(e.userAgent)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
