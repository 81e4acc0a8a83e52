import type { AppContext } from '../context.js';
import { hashToken, randomToken } from '../tokens/opaque.js';

/**
 * A sign-in the provider vouched for but that needs one more proof from the person: the TOTP code
 * of an account with MFA (`mfa`), or, to link the provider to an existing account, that account's
 * password (`link`). Kept in Redis under the hash of a random token that lives only in the
 * browser's httpOnly cookie; short-lived, a few wrong tries, spent once.
 */
export type PendingStep =
  | { kind: 'mfa'; userId: string; provider: string }
  | { kind: 'link'; userId: string; provider: string; subject: string; email: string };

export const PENDING_TTL_SECONDS = 300;
const MAX_FAILURES = 5;

const key = (ctx: AppContext, token: string) => `${ctx.config.redisPrefix}auth:oauth:pending:${hashToken(token)}`;
const failuresKey = (ctx: AppContext, token: string) => `${key(ctx, token)}:failures`;

/** Stores the step; the token goes into the browser's cookie. */
export async function createPendingStep(ctx: AppContext, step: PendingStep): Promise<string> {
  const token = randomToken();
  await ctx.redis.set(key(ctx, token), JSON.stringify(step), 'EX', PENDING_TTL_SECONDS);
  return token;
}

export async function readPendingStep(ctx: AppContext, token: string): Promise<PendingStep | undefined> {
  const stored = await ctx.redis.get(key(ctx, token));
  return stored ? (JSON.parse(stored) as PendingStep) : undefined;
}

/** A wrong proof; the step ends after a few, so a stolen cookie is not a guessing oracle. */
export async function notePendingFailure(ctx: AppContext, token: string): Promise<void> {
  const failures = await ctx.redis.incr(failuresKey(ctx, token));
  await ctx.redis.expire(failuresKey(ctx, token), PENDING_TTL_SECONDS);
  if (failures >= MAX_FAILURES) await ctx.redis.del(key(ctx, token), failuresKey(ctx, token));
}

/** Ends the step; true for the one caller that removed it (two parallel completions: only one signs in). */
export async function takePendingStep(ctx: AppContext, token: string): Promise<boolean> {
  return (await ctx.redis.del(key(ctx, token))) === 1;
}
