import type { Page, SecurityEvent } from '@flux/shared';
import { type SecurityEventType, SecurityEventTypes } from '@flux/shared/constants';
import { useState } from 'react';
import { useResource } from '../api/use-resource.js';
import { formatDate } from '../orgs/project-page.js';
import { describeAgent } from './sessions-section.js';

export const securityEventLabels: Record<SecurityEventType, string> = {
  signup: 'Account created',
  login_succeeded: 'Signed in',
  login_failed: 'Failed sign-in',
  login_locked: 'Sign-ins paused after failed attempts',
  mfa_failed: 'Wrong two-step code',
  mfa_locked: 'Two-step codes paused after wrong attempts',
  reauthenticated: 'Password confirmed',
  refresh: 'Session refreshed',
  refresh_token_reused: 'Old session token reused — session ended',
  logout: 'Signed out',
  logout_all: 'Signed out everywhere',
  session_revoked: 'Session revoked',
  password_reset_requested: 'Password reset requested',
  password_reset: 'Password changed by reset',
  password_changed: 'Password changed',
  email_verified: 'Email verified',
  email_change_requested: 'Email change requested',
  email_changed: 'Email changed',
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
  anomaly_request_burst: 'Unusual burst of requests',
  new_device: 'Sign-in from a new device',
  account_deletion_requested: 'Account deletion requested',
  account_deletion_cancelled: 'Account deletion cancelled by signing in',
  data_exported: 'Data exported',
  // workspace/admin
  account_disabled: 'Account disabled by an administrator',
  account_enabled: 'Account enabled by an administrator',
  signed_out_by_admin: 'Signed out everywhere by an administrator',
  platform_admin_granted: 'Made a platform administrator',
  organization_deleted: 'Organization deleted',
};
export const labelOf = (type: string) => securityEventLabels[type as SecurityEventType] ?? type.replace(/[_.]/g, ' ');

/** A labelled select of security event types ('' for all), for the account's log and the admin console's. */
export function EventTypeSelect({
  label,
  all,
  value,
  onChange,
}: {
  label: string;
  all: string;
  value: SecurityEventType | '';
  onChange: (type: SecurityEventType | '') => void;
}) {
  return (
    <label className="small">
      {label}{' '}
      <select value={value} onChange={(event) => onChange(event.target.value as SecurityEventType | '')}>
        <option value="">{all}</option>
        {SecurityEventTypes.map((t) => (
          <option key={t} value={t}>
            {securityEventLabels[t]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The account's security log (newest first) as a table, filtered by event type on the server. */
export function SecurityEvents() {
  const [type, setType] = useState<SecurityEventType | ''>('');
  const events = useResource<Page<SecurityEvent>>(`/api/auth/security-events?limit=50${type ? `&type=${type}` : ''}`);
  const items = events.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="events-heading">
      <div className="pane-head">
        <h2 id="events-heading">Recent security activity</h2>
        <EventTypeSelect label="Show" all="All activity" value={type} onChange={setType} />
      </div>
      {events.error && <p className="form-error">{events.error.message}</p>}
      {!events.loading && !events.error && items.length === 0 && <p className="muted">No activity of this kind.</p>}
      {items.length > 0 && (
        <table className="table" aria-labelledby="events-heading">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Time</th>
              <th scope="col">IP address</th>
              <th scope="col">Device</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>{labelOf(e.type)}</td>
                <td>
                  <time dateTime={e.createdAt}>{formatDate(e.createdAt)}</time>
                </td>
                <td>{e.ip ?? 'unknown'}</td>
                <td>{describeAgent(e.userAgent)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
