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
