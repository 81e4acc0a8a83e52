import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import type { Database, NewNotification, NotificationRow } from '../db/database.js';

type Db = DbOrTrx<Database>;

/** Inserts the notifications not seen before (dedupe key), returning only the new ones. */
export const insertNew = (db: Db, rows: readonly NewNotification[]): Promise<NotificationRow[]> =>
  rows.length === 0
    ? Promise.resolve([])
    : db
        .insertInto('messaging.notifications')
        .values([...rows])
        .onConflict((oc) => oc.columns(['user_id', 'dedupe_key']).doNothing())
        .returningAll()
        .execute();

export function page(db: Db, userId: string, options: { unread?: boolean; limit: number; before?: string }) {
  let query = db.selectFrom('messaging.notifications').selectAll().where('user_id', '=', userId);
  if (options.unread) query = query.where('read_at', 'is', null);
  // Compared with the cursor row's own timestamp: exact to the microsecond, unlike an ISO string.
  if (options.before) {
    query = query.where(
      sql<boolean>`(created_at, id) < (select n.created_at, n.id from messaging.notifications n where n.id = ${options.before})`,
    );
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

export const markRead = (db: Db, userId: string, id: string) =>
  db
    .updateTable('messaging.notifications')
    .set({ read_at: sql`coalesce(read_at, now())` })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();

export const markAllRead = (db: Db, userId: string) =>
  db
    .updateTable('messaging.notifications')
    .set({ read_at: new Date() })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
