import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { after, msOf } from '../db/keyset.js';
import type { PageRequest } from '../pagination.js';

/** `%q%` for ILIKE with the pattern characters of `q` taken literally. */
const containing = (q: string) => `%${q.replaceAll(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Accounts with their live sessions and organizations counted. */
const usersWithCounts = (db: DbOrTrx<Database>) =>
  db
    .selectFrom('auth.users as u')
    .select(['u.id', 'u.email', 'u.name', 'u.is_admin', 'u.email_verified_at', 'u.disabled_at', 'u.created_at'])
    .select((eb) => [
      eb
        .selectFrom('auth.sessions as s')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('s.user_id', '=', 'u.id')
        .where('s.revoked_at', 'is', null)
        .where('s.expires_at', '>', sql<Date>`now()`)
        .as('active_sessions'),
      eb
        .selectFrom('auth.organization_members as m')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('m.user_id', '=', 'u.id')
        .as('organizations'),
    ]);
export type AdminUserRow = Awaited<ReturnType<ReturnType<typeof usersWithCounts>['executeTakeFirstOrThrow']>>;

/** Newest first; `q` matches the name or the email. */
export const listUsers = (db: DbOrTrx<Database>, q: string | undefined, page: PageRequest) => {
  let query = usersWithCounts(db);
  const text = q?.trim();
  if (text) query = query.where((eb) => eb.or([eb('u.email', 'ilike', containing(text)), eb('u.name', 'ilike', containing(text))]));
  if (page.cursor) query = query.where(after('u.created_at', 'u.id', page.cursor, 'desc'));
  return query
    .orderBy(msOf('u.created_at'), 'desc')
    .orderBy('u.id', 'desc')
    .limit(page.limit + 1)
    .execute();
};

export const findUser = (db: DbOrTrx<Database>, id: string) => usersWithCounts(db).where('u.id', '=', id).executeTakeFirst();

export const setDisabled = (db: DbOrTrx<Database>, id: string, by: string | null) =>
  db
    .updateTable('auth.users')
    .set(
      by
        ? { disabled_at: new Date(), disabled_by: by, updated_at: new Date() }
        : { disabled_at: null, disabled_by: null, updated_at: new Date() },
    )
    .where('id', '=', id)
    .executeTakeFirst();

/** Newest first; `q` matches the name or the slug. */
export const listOrganizations = (db: DbOrTrx<Database>, q: string | undefined, page: PageRequest) => {
  let query = db
    .selectFrom('auth.organizations as o')
    .select(['o.id', 'o.name', 'o.slug', 'o.created_at'])
    .select((eb) => [
      eb
        .selectFrom('auth.organization_members as m')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('m.organization_id', '=', 'o.id')
        .as('members'),
      eb
        .selectFrom('auth.projects as p')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('p.organization_id', '=', 'o.id')
        .as('projects'),
    ]);
  const text = q?.trim();
  if (text) query = query.where((eb) => eb.or([eb('o.name', 'ilike', containing(text)), eb('o.slug', 'ilike', containing(text))]));
  if (page.cursor) query = query.where(after('o.created_at', 'o.id', page.cursor, 'desc'));
  return query
    .orderBy(msOf('o.created_at'), 'desc')
    .orderBy('o.id', 'desc')
    .limit(page.limit + 1)
    .execute();
};

export const ownersOf = (db: DbOrTrx<Database>, organizationIds: string[]) =>
  organizationIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('auth.organization_members as m')
        .innerJoin('auth.users as u', 'u.id', 'm.user_id')
        .select(['m.organization_id', 'u.id', 'u.name', 'u.email'])
        .where('m.organization_id', 'in', organizationIds)
        .where('m.role', '=', 'owner')
        .orderBy('m.created_at')
        .execute();

/**
 * The next account to sign up on a fresh install becomes a platform admin: claimed once, atomically
 * (the row update), in the transaction that creates the account. True when this account claimed it.
 */
export async function claimFirstAdmin(db: DbOrTrx<Database>, userId: string): Promise<boolean> {
  const claimed = await db
    .updateTable('auth.platform_settings')
    .set({ first_account_admin: false })
    .where('first_account_admin', '=', true)
    .returning('singleton')
    .executeTakeFirst();
  if (claimed) await db.updateTable('auth.users').set({ is_admin: true }).where('id', '=', userId).execute();
  return !!claimed;
}

/** Applied migrations of one schema, in order (the runner's bookkeeping table). */
export const appliedMigrations = (db: DbOrTrx<Database>, schema: 'auth' | 'messaging' | 'collab') =>
  sql<{ name: string; ran_at: Date }>`select name, ran_at from ${sql.table(`${schema}.schema_migrations`)} order by name`
    .execute(db)
    .then((result) => result.rows);
