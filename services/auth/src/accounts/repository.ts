import type { DbOrTrx } from '@flux/server-kit';
import type { Updateable } from 'kysely';
import type { Database, EmailTokensTable, NewUser, UserRow, UsersTable } from '../db/database.js';

export const findUserById = (db: DbOrTrx<Database>, id: string): Promise<UserRow | undefined> =>
  db.selectFrom('auth.users').selectAll().where('id', '=', id).executeTakeFirst();

export const findUserByEmail = (db: DbOrTrx<Database>, email: string): Promise<UserRow | undefined> =>
  db.selectFrom('auth.users').selectAll().where('email', '=', email).executeTakeFirst();

export const findUsersByIds = (db: DbOrTrx<Database>, ids: string[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('auth.users').select(['id', 'email', 'name']).where('id', 'in', ids).execute();

export const searchUsersByName = (db: DbOrTrx<Database>, name: string, limit: number) =>
  db
    .selectFrom('auth.users')
    .select(['id', 'email', 'name'])
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .orderBy('created_at')
    .limit(limit)
    .execute();

/** Inserts a user; returns undefined when the email is taken (unique index), without aborting a transaction. */
export const insertUser = (db: DbOrTrx<Database>, user: NewUser): Promise<UserRow | undefined> =>
  db
    .insertInto('auth.users')
    .values(user)
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();

export const updateUser = (db: DbOrTrx<Database>, id: string, values: Updateable<UsersTable>): Promise<UserRow | undefined> =>
  db
    .updateTable('auth.users')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();

export type EmailTokenPurpose = EmailTokensTable['purpose'];

/** Marks the user's live tokens of one purpose used, so only the newest mailed link works. */
export const retireEmailTokens = (db: DbOrTrx<Database>, userId: string, purpose: EmailTokenPurpose) =>
  db
    .updateTable('auth.email_tokens')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();

export const insertEmailToken = (
  db: DbOrTrx<Database>,
  values: { userId: string; purpose: EmailTokenPurpose; tokenHash: string; expiresAt: Date; newEmail?: string },
) =>
  db
    .insertInto('auth.email_tokens')
    .values({
      user_id: values.userId,
      purpose: values.purpose,
      token_hash: values.tokenHash,
      expires_at: values.expiresAt,
      new_email: values.newEmail ?? null,
    })
    .execute();

/** Spends a live token in one statement (so two uses cannot both succeed); the user id, or undefined. */
export const spendEmailToken = async (db: DbOrTrx<Database>, tokenHash: string, purpose: EmailTokenPurpose): Promise<string | undefined> =>
  (
    await db
      .updateTable('auth.email_tokens')
      .set({ used_at: new Date() })
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .returning('user_id')
      .executeTakeFirst()
  )?.user_id;

/** Spends a live `change_email` token like spendEmailToken; the user id and the address it carries. */
export const spendEmailChangeToken = async (
  db: DbOrTrx<Database>,
  tokenHash: string,
): Promise<{ userId: string; newEmail: string } | undefined> => {
  const row = await db
    .updateTable('auth.email_tokens')
    .set({ used_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', 'change_email')
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning(['user_id', 'new_email'])
    .executeTakeFirst();
  return row?.new_email ? { userId: row.user_id, newEmail: row.new_email } : undefined;
};

/** Spent or expired email tokens can never be used again. */
export const deleteDeadEmailTokens = (db: DbOrTrx<Database>, now: Date) =>
  db
    .deleteFrom('auth.email_tokens')
    .where((eb) => eb.or([eb('used_at', 'is not', null), eb('expires_at', '<', now)]))
    .executeTakeFirst();

export const deleteRecoveryCodes = (db: DbOrTrx<Database>, userId: string) =>
  db.deleteFrom('auth.mfa_recovery_codes').where('user_id', '=', userId).execute();

export const insertRecoveryCodes = (db: DbOrTrx<Database>, userId: string, codeHashes: string[]) =>
  db
    .insertInto('auth.mfa_recovery_codes')
    .values(codeHashes.map((codeHash) => ({ user_id: userId, code_hash: codeHash })))
    .execute();

/** Spends an unused recovery code in one statement; true when it was live. */
export const spendRecoveryCode = async (db: DbOrTrx<Database>, userId: string, codeHash: string): Promise<boolean> =>
  !!(await db
    .updateTable('auth.mfa_recovery_codes')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst());
