import type { SecurityEvent } from '@flux/shared';
import type { SecurityEventRow } from '../db/database.js';

export const toSecurityEvent = (row: SecurityEventRow): SecurityEvent => ({
  id: row.id,
  userId: row.user_id,
  type: row.type,
  ip: row.ip,
  userAgent: row.user_agent,
  metadata: row.metadata,
  createdAt: row.created_at.toISOString(),
});
