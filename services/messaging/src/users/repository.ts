import type { DbOrTrx } from '@flux/server-kit';
import type { Database } from '../db/database.js';

export interface UserValues {
  id: string;
  name: string;
  email: string;
}

/** Writes a user's name and email, replacing what the projection had. */
export const upsert = (db: DbOrTrx<Database>, user: UserValues) =>
  db
    .insertInto('messaging.users')
    .values({ id: user.id, name: user.name, email: user.email, updated_at: new Date() })
    .onConflict((oc) => oc.column('id').doUpdateSet({ name: user.name, email: user.email, updated_at: new Date() }))
    .execute();

/** Inserts a user the projection does not have yet; an existing row is left as it is. */
export const insertIfMissing = (db: DbOrTrx<Database>, user: UserValues) =>
  db
    .insertInto('messaging.users')
    .values({ id: user.id, name: user.name, email: user.email, updated_at: new Date() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();

/** The ids among `ids` that the projection has. */
export const knownIds = (db: DbOrTrx<Database>, ids: readonly string[]): Promise<string[]> =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('messaging.users')
        .select('id')
        .where('id', 'in', [...ids])
        .execute()
        .then((rows) => rows.map((r) => r.id));

/** Display names of some users (those the projection has). */
export const names = (db: DbOrTrx<Database>, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('messaging.users')
        .select(['id', 'name'])
        .where('id', 'in', [...ids])
        .execute();
