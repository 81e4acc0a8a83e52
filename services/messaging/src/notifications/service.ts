import { AppError, type Notification } from '@flux/shared';
import type { Caller } from '@flux/server-kit';
import type { AppContext } from '../context.js';
import { toNotification } from './mappers.js';
import { decodeIdCursor, encodeIdCursor } from '../messages/cursor.js';
import * as repo from './repository.js';

export async function list(ctx: AppContext, caller: Caller, query: { unread?: boolean; limit: number; before?: string }) {
  const rows = await repo.page(ctx.db, caller.id, {
    unread: query.unread,
    limit: query.limit + 1,
    before: query.before ? decodeIdCursor(query.before) : undefined,
  });
  const items = rows.slice(0, query.limit).map(toNotification);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeIdCursor(last.id) : null };
}

export async function markRead(ctx: AppContext, caller: Caller, id: string): Promise<Notification> {
  const row = await repo.markRead(ctx.db, caller.id, id);
  if (!row) throw AppError.notFound('Notification');
  return toNotification(row);
}

export async function markAllRead(ctx: AppContext, caller: Caller): Promise<{ updated: number }> {
  const result = await repo.markAllRead(ctx.db, caller.id);
  return { updated: Number(result.numUpdatedRows) };
}
