import type { Caller, DbOrTrx } from '@flux/server-kit';
import type { NotificationPreferences, UpdateNotificationPreferences } from '@flux/shared';
import type { Database } from '../db/database.js';

/** What a user who never chose gets: every notification in the app, no mail. */
export const DEFAULT_PREFERENCES: NotificationPreferences = { mentions: true, directMessages: true, emailDigest: 'off' };

const find = (db: DbOrTrx<Database>, userId: string) =>
  db.selectFrom('messaging.notification_preferences').selectAll().where('user_id', '=', userId).executeTakeFirst();

const toPreferences = (row: { mentions: boolean; direct_messages: boolean; email_digest: 'off' | 'daily' }): NotificationPreferences => ({
  mentions: row.mentions,
  directMessages: row.direct_messages,
  emailDigest: row.email_digest,
});

export async function get(db: DbOrTrx<Database>, caller: Caller): Promise<NotificationPreferences> {
  const row = await find(db, caller.id);
  return row ? toPreferences(row) : DEFAULT_PREFERENCES;
}

/** Changes the given preferences, keeping the others (the defaults for a first choice). */
export async function update(db: DbOrTrx<Database>, caller: Caller, body: UpdateNotificationPreferences): Promise<NotificationPreferences> {
  const next = { ...(await get(db, caller)), ...body };
  const values = { mentions: next.mentions, direct_messages: next.directMessages, email_digest: next.emailDigest, updated_at: new Date() };
  const row = await db
    .insertInto('messaging.notification_preferences')
    .values({ user_id: caller.id, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPreferences(row);
}
