import type { SecurityEvent } from '@flux/shared';
import { sql } from 'kysely';
import type { Db } from '../accounts/repository.js';
import type { AuthMetrics } from './metrics.js';
import type { SecurityEventRow } from '../db/database.js';

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
  db: Db,
  event: { type: SecurityEventType; userId: string | null; meta: RequestMeta; metadata?: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('auth.security_events')
    .values({
      type: event.type,
      user_id: event.userId,
      ip: event.meta.ip,
      user_agent: event.meta.userAgent?.slice(0, 512) ?? null,
      // Cast in SQL: postgres.js would otherwise store the JSON text as a jsonb string.
      metadata: sql<Record<string, unknown>>`cast(${JSON.stringify(event.metadata ?? {})}::text as jsonb)`,
    })
    .execute();
  ctx.metrics.securityEvents.inc({ type: event.type });
}

export const toSecurityEvent = (row: SecurityEventRow): SecurityEvent => ({
  id: row.id,
  userId: row.user_id,
  type: row.type,
  ip: row.ip,
  userAgent: row.user_agent,
  metadata: row.metadata,
  createdAt: row.created_at.toISOString(),
});
