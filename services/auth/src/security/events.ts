import type { DbOrTrx } from '@flux/server-kit';
import type { SecurityEventType } from '@flux/shared';
import type { Database } from '../db/database.js';
import type { AuthMetrics } from './metrics.js';
import { insertSecurityEvent } from './repository.js';

/** Where a request came from; stored with sessions and security events. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  /** The browser's `flux_device` cookie, when it sent one (security/devices.ts). */
  deviceId?: string | null;
}

export type { SecurityEventType };

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
