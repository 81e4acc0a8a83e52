import type { DbOrTrx } from '@flux/server-kit';
import type { Database } from '../db/database.js';

/** Which of `otherIds` are members of at least one organization `userId` is a member of. */
export async function idsSharingOrganization(db: DbOrTrx<Database>, userId: string, otherIds: readonly string[]): Promise<string[]> {
  if (otherIds.length === 0) return [];
  const rows = await db
    .selectFrom('auth.organization_members as mine')
    .innerJoin('auth.organization_members as theirs', 'theirs.organization_id', 'mine.organization_id')
    .select('theirs.user_id')
    .distinct()
    .where('mine.user_id', '=', userId)
    .where('theirs.user_id', 'in', [...otherIds])
    .execute();
  return rows.map((row) => row.user_id);
}

/** `%`, `_` and `\` match themselves in a LIKE pattern. */
const likeLiteral = (text: string) => text.replaceAll(/[\\%_]/g, (c) => `\\${c}`);

/**
 * People who share at least one organization with `userId` (themself included), by name, optionally
 * whose name contains `q` (case-insensitive).
 */
export function findPeopleSharingOrganization(db: DbOrTrx<Database>, userId: string, options: { q?: string; limit: number }) {
  let query = db
    .selectFrom('auth.users as u')
    .leftJoin('auth.user_avatars as a', 'a.user_id', 'u.id')
    .select(['u.id', 'u.name', 'a.version as avatarVersion'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('auth.organization_members as mine')
          .innerJoin('auth.organization_members as theirs', 'theirs.organization_id', 'mine.organization_id')
          .select('theirs.user_id')
          .where('mine.user_id', '=', userId)
          .whereRef('theirs.user_id', '=', 'u.id'),
      ),
    );
  if (options.q) query = query.where('u.name', 'ilike', `%${likeLiteral(options.q)}%`);
  return query.orderBy('u.name').orderBy('u.id').limit(options.limit).execute();
}

/** One person, only when it is `userId` or they share an organization with `userId`. */
export const findPersonSharingOrganization = (db: DbOrTrx<Database>, userId: string, otherId: string) =>
  db
    .selectFrom('auth.users as u')
    .leftJoin('auth.user_avatars as a', 'a.user_id', 'u.id')
    .select(['u.id', 'u.name', 'a.version as avatarVersion'])
    .where('u.id', '=', otherId)
    .where((eb) =>
      eb.or([
        eb('u.id', '=', userId),
        eb.exists(
          eb
            .selectFrom('auth.organization_members as mine')
            .innerJoin('auth.organization_members as theirs', 'theirs.organization_id', 'mine.organization_id')
            .select('theirs.user_id')
            .where('mine.user_id', '=', userId)
            .whereRef('theirs.user_id', '=', 'u.id'),
        ),
      ]),
    )
    .executeTakeFirst();
