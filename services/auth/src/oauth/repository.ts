import type { DbOrTrx } from '@flux/server-kit';
import type { Database } from '../db/database.js';

/** The account an external identity signed in to before, if any. */
export const findLinkedUserId = async (db: DbOrTrx<Database>, provider: string, subject: string): Promise<string | undefined> =>
  (
    await db
      .selectFrom('auth.oauth_accounts')
      .select('user_id')
      .where('provider', '=', provider)
      .where('subject', '=', subject)
      .executeTakeFirst()
  )?.user_id;

/** Links an external identity to an account; an existing link is kept as it is. */
export const linkAccount = (db: DbOrTrx<Database>, link: { provider: string; subject: string; userId: string; email: string }) =>
  db
    .insertInto('auth.oauth_accounts')
    .values({ provider: link.provider, subject: link.subject, user_id: link.userId, email: link.email })
    .onConflict((oc) => oc.doNothing())
    .execute();
