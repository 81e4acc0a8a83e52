import type { Kysely, Transaction, Updateable } from 'kysely';
import type { Database, NewUser, UserRow, UsersTable } from '../db/database.js';

export type Db = Kysely<Database> | Transaction<Database>;

export const findUserById = (db: Db, id: string): Promise<UserRow | undefined> =>
  db.selectFrom('auth.users').selectAll().where('id', '=', id).executeTakeFirst();

export const findUserByEmail = (db: Db, email: string): Promise<UserRow | undefined> =>
  db.selectFrom('auth.users').selectAll().where('email', '=', email).executeTakeFirst();

export const findUsersByIds = (db: Db, ids: string[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('auth.users').select(['id', 'email', 'name']).where('id', 'in', ids).execute();

export const searchUsersByName = (db: Db, name: string, limit: number) =>
  db
    .selectFrom('auth.users')
    .select(['id', 'email', 'name'])
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .orderBy('created_at')
    .limit(limit)
    .execute();

/** Inserts a user; returns undefined when the email is taken (unique index), without aborting a transaction. */
export const insertUser = (db: Db, user: NewUser): Promise<UserRow | undefined> =>
  db
    .insertInto('auth.users')
    .values(user)
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();

export const updateUser = (db: Db, id: string, values: Updateable<UsersTable>): Promise<UserRow | undefined> =>
  db
    .updateTable('auth.users')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
