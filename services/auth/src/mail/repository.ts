import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import type { Database, DevOutboxRow } from '../db/database.js';

export const insertOutboxMail = (db: DbOrTrx<Database>, mail: { recipient: string; subject: string; body: string }) =>
  db.insertInto('auth.dev_outbox').values(mail).execute();

/** The newest 50 mails to one recipient, newest first. */
export const listOutboxMail = (db: DbOrTrx<Database>, recipient: string): Promise<DevOutboxRow[]> =>
  db
    .selectFrom('auth.dev_outbox')
    .selectAll()
    .where('recipient', '=', recipient)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(50)
    .execute();

/** Dev mail is kept a week (measured on the database clock). */
export const deleteOldOutboxMail = (db: DbOrTrx<Database>) =>
  db.deleteFrom('auth.dev_outbox').where('created_at', '<', sql<Date>`now() - interval '7 days'`).executeTakeFirst();
