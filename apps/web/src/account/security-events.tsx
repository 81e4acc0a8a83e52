import type { Page, SecurityEvent } from '@flux/shared';
import { useResource } from '../api/use-resource.js';
import { formatDate } from '../orgs/project-page.js';
import { describeAgent } from './sessions-section.js';

const labels: Record<string, string> = {
  signup: 'Account created',
  login_succeeded: 'Signed in',
  login_failed: 'Failed sign-in',
  login_locked: 'Sign-ins paused after failed attempts',
  mfa_failed: 'Wrong two-step code',
  refresh: 'Session refreshed',
  refresh_token_reused: 'Old session token reused — session ended',
  logout: 'Signed out',
  logout_all: 'Signed out everywhere',
  session_revoked: 'Session revoked',
  password_reset_requested: 'Password reset requested',
  password_reset: 'Password changed by reset',
  email_verified: 'Email verified',
  mfa_setup: 'Two-step verification setup started',
  mfa_enabled: 'Two-step verification turned on',
  mfa_disabled: 'Two-step verification turned off',
  mfa_recovery_code_used: 'Recovery code used',
  oauth_login: 'Signed in with a provider',
  oauth_linked: 'Provider account linked',
  rate_limited: 'Too many attempts',
  csrf_failed: 'Blocked cross-site request',
  anomaly_many_accounts_from_ip: 'Unusual activity from this address',
  anomaly_rapid_refresh: 'Unusually frequent session refreshes',
  new_device: 'Sign-in from a new device',
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
