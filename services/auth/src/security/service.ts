import { AppError, type Page, type SecurityEvent } from '@flux/shared';
import { sql } from 'kysely';
import type { AuthContext } from '../context.js';
import { findUserById } from '../accounts/repository.js';
import { toSecurityEvent } from './events.js';

const encodeCursor = (createdAt: Date, id: string) => Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw AppError.validation('cursor', 'is not a cursor from this list');
  return { createdAt, id };
}

// Postgres keeps microseconds, JavaScript dates milliseconds: page on the millisecond so cursors round-trip.
const ms = sql<Date>`date_trunc('milliseconds', created_at)`;

/** The caller's own security events, newest first; platform admins see everyone's. */
export async function listSecurityEvents(ctx: AuthContext, userId: string, query: { cursor?: string; limit: number }): Promise<Page<SecurityEvent>> {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw AppError.unauthorized();
  let select = ctx.db.selectFrom('auth.security_events').selectAll();
  if (!user.is_admin) select = select.where('user_id', '=', userId);
  if (query.cursor) {
    const { createdAt, id } = decodeCursor(query.cursor);
    select = select.where(sql<boolean>`(${ms}, id) < (${createdAt}::timestamptz, ${id}::uuid)`);
  }
  const rows = await select.orderBy(ms, 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items: items.map(toSecurityEvent), nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at, last.id) : null };
}
