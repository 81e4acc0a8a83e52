import type { DbOrTrx } from '@flux/server-kit';
import type { Database } from '../db/database.js';
import type { AuthMetrics } from './metrics.js';
import { insertSecurityEvent } from './repository.js';

/** Where a request came from; stored with sessions and security events. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export type SecurityEventType =
  | 'signup'
  | 'login_succeeded'
  | 'login_failed'
  | 'login_locked'
  | 'mfa_failed'
  | 'refresh'
  | 'refresh_token_reused'
  | 'logout'
  | 'logout_all'
  | 'session_revoked'
  | 'password_reset_requested'
  | 'password_reset'
  | 'email_verified'
  | 'mfa_setup'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'mfa_recovery_code_used'
  | 'oauth_login'
  | 'oauth_linked'
  | 'rate_limited'
  | 'csrf_failed'
  | 'anomaly_many_accounts_from_ip'
  | 'anomaly_rapid_refresh'
  | 'new_device';

/** Each security event also counts in `/metrics` (auth_security_events_total{type}). */
export async function recordSecurityEvent(
  ctx: { metrics: AuthMetrics },
  db: DbOrTrx<Database>,
  event: { type: SecurityEventType; userId: string | null; meta: RequestMeta; metadata?: Record<string, unknown> },
): Promise<void> {
  await insertSecurityEvent(db, {
    type: event.type,
    userId: event.userId,
    ip: event.meta.ip,
    userAgent: event.meta.userAgent?.slice(0, 512) ?? null,
    metadata: event.metadata ?? {},
  });
  ctx.metrics.securityEvents.inc({ type: event.type });
}
