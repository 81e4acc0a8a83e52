import type { DbOrTrx } from '@flux/server-kit';
import type { Database } from '../db/database.js';
import { hashToken, randomToken } from '../tokens/opaque.js';
import { type EmailTokenPurpose, insertEmailToken, retireEmailTokens, spendEmailChangeToken, spendEmailToken } from './repository.js';

/** A single-use token mailed to the user; only its hash is stored. Older live tokens of the same purpose die. */
export async function issueEmailToken(
  db: DbOrTrx<Database>,
  userId: string,
  purpose: EmailTokenPurpose,
  ttlSeconds: number,
  /** For `change_email`: the address the token moves the account to. */
  newEmail?: string,
): Promise<string> {
  const token = randomToken();
  await retireEmailTokens(db, userId, purpose);
  await insertEmailToken(db, {
    userId,
    purpose,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    newEmail,
  });
  return token;
}

/** Spends a token atomically: the user id when it was live, else undefined. */
export const consumeEmailToken = (db: DbOrTrx<Database>, token: string, purpose: EmailTokenPurpose): Promise<string | undefined> =>
  spendEmailToken(db, hashToken(token), purpose);

/** Spends a `change_email` token atomically: the user and the new address when it was live. */
export const consumeEmailChangeToken = (db: DbOrTrx<Database>, token: string) => spendEmailChangeToken(db, hashToken(token));
