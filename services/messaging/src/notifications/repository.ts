import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import type { Database, NewNotification, NotificationRow } from '../db/database.js';

type Db = DbOrTrx<Database>;

/**
 * What a notification about a message needs, in one query: the message, its conversation's type and
 * name, the sender's name, and one row per other member with their name, email, mute and the two
 * notification preferences (true when never chosen). No member row (`user_id` null) when alone.
 */
export const messageAudience = (db: Db, messageId: string) =>
  db
    .selectFrom('messaging.messages as m')
    .innerJoin('messaging.conversations as c', 'c.id', 'm.conversation_id')
    .leftJoin('messaging.users as s', 's.id', 'm.sender_id')
    .leftJoin('messaging.conversation_members as cm', (join) =>
      join.onRef('cm.conversation_id', '=', 'm.conversation_id').onRef('cm.user_id', '<>', 'm.sender_id'),
    )
    .leftJoin('messaging.users as u', 'u.id', 'cm.user_id')
    .leftJoin('messaging.notification_preferences as p', 'p.user_id', 'cm.user_id')
    .select([
      'm.id',
      'm.conversation_id',
      'm.sender_id',
      'm.content',
      'm.deleted_at',
      'm.created_at',
      'c.type',
      'c.name as conversation_name',
      's.name as sender_name',
      'cm.user_id',
      'u.name',
      'u.email',
      sql<boolean>`cm.muted_at is not null`.as('muted'),
      sql<boolean>`coalesce(p.mentions, true)`.as('mentions'),
      sql<boolean>`coalesce(p.direct_messages, true)`.as('direct_messages'),
    ])
    .where('m.id', '=', messageId)
    .execute();

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
