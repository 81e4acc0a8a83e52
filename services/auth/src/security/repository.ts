import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import type { Database, SecurityEventRow } from '../db/database.js';
import { after, msOf } from '../db/keyset.js';
import type { PageRequest } from '../pagination.js';

export const insertSecurityEvent = (
  db: DbOrTrx<Database>,
  event: { type: string; userId: string | null; ip: string | null; userAgent: string | null; metadata: Record<string, unknown> },
) =>
  db
    .insertInto('auth.security_events')
    .values({
      type: event.type,
      user_id: event.userId,
      ip: event.ip,
      user_agent: event.userAgent,
      // Cast in SQL: postgres.js would otherwise store the JSON text as a jsonb string.
      metadata: sql<Record<string, unknown>>`cast(${JSON.stringify(event.metadata)}::text as jsonb)`,
    })
    .execute();

export interface SecurityEventFilter {
  /** One user's events, or everyone's with `null` (platform admins). */
  userId: string | null;
  type?: string;
  since?: Date;
  until?: Date;
}

/** Newest first, filtered; `limit + 1` rows to tell whether more follow. */
export const listSecurityEvents = (db: DbOrTrx<Database>, filter: SecurityEventFilter, page: PageRequest): Promise<SecurityEventRow[]> => {
  let select = db.selectFrom('auth.security_events').selectAll();
  if (filter.userId !== null) select = select.where('user_id', '=', filter.userId);
  if (filter.type) select = select.where('type', '=', filter.type);
  if (filter.since) select = select.where('created_at', '>=', filter.since);
  if (filter.until) select = select.where('created_at', '<', filter.until);
  if (page.cursor) select = select.where(after('created_at', 'id', page.cursor, 'desc'));
  return select
    .orderBy(msOf('created_at'), 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
};

export const deleteSecurityEventsBefore = (db: DbOrTrx<Database>, before: Date) =>
  db.deleteFrom('auth.security_events').where('created_at', '<', before).executeTakeFirst();
