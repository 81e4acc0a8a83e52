import type { Db } from './repository.js';
import { hashToken, randomToken } from '../tokens/opaque.js';

export type EmailTokenPurpose = 'verify_email' | 'reset_password';

/** A single-use token mailed to the user; only its hash is stored. Older live tokens of the same purpose die. */
export async function issueEmailToken(db: Db, userId: string, purpose: EmailTokenPurpose, ttlSeconds: number): Promise<string> {
  const token = randomToken();
  await db
    .updateTable('auth.email_tokens')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
  await db
    .insertInto('auth.email_tokens')
    .values({ user_id: userId, purpose, token_hash: hashToken(token), expires_at: new Date(Date.now() + ttlSeconds * 1000) })
    .execute();
  return token;
}

/** Spends a token atomically: the user id when it was live, else undefined. */
export async function consumeEmailToken(db: Db, token: string, purpose: EmailTokenPurpose): Promise<string | undefined> {
  const row = await db
    .updateTable('auth.email_tokens')
    .set({ used_at: new Date() })
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id;
}
