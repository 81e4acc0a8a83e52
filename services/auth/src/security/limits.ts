import { createHash } from 'node:crypto';
import { AppError } from '@flux/shared';
import type { ChainableCommander } from 'ioredis';
import type { AppContext } from '../context.js';

/**
 * Abuse controls kept in Redis so they hold across instances. The lockout key is the pair
 * (account, IP): an attacker elsewhere can fail as often as they like without locking the victim
 * out of their own IP; failures from everywhere only slow the account down (progressive delay).
 */
const accountKey = (email: string) => createHash('sha256').update(email).digest('hex').slice(0, 32);
const key = (ctx: AppContext, ...parts: string[]) => `${ctx.config.redisPrefix}auth:${parts.join(':')}`;

/** The replies of a MULTI of integer commands, in order (null only comes from a WATCH abort, which none of these use). */
async function integers(multi: ChainableCommander): Promise<number[]> {
  const results = await multi.exec();
  if (!results) throw new Error('redis transaction aborted');
  return results.map(([err, value]) => {
    if (err) throw err;
    return Number(value);
  });
}

/** More than N credential requests (signup, login, password, MFA) a minute from one IP → 429. */
export async function limitCredentialRequests(ctx: AppContext, ip: string | null): Promise<void> {
  // The window opens at the first request (EXPIRE NX), so Retry-After is exactly its remaining TTL.
  const counter = key(ctx, 'ip-credential', ip ?? 'unknown');
  const [count = 0, , ttl = 0] = await integers(ctx.redis.multi().incr(counter).expire(counter, 60, 'NX').ttl(counter));
  if (count > ctx.config.credentialRequestsPerIpPerMinute) {
    throw AppError.rateLimited(ttl > 0 ? ttl : 60, 'Too many sign-in attempts from your network; try again shortly.');
  }
}

/** Seconds left on the lockout of this account from this IP, or 0. */
export async function lockoutRemaining(ctx: AppContext, email: string, ip: string | null): Promise<number> {
  const ttl = await ctx.redis.ttl(key(ctx, 'lock', accountKey(email), ip ?? 'unknown'));
  return Math.max(ttl, 0);
}

export interface FailureOutcome {
  /** The failure that just happened locked this account for this IP. */
  locked: boolean;
  /** Failures on this account from every IP in the current hour. */
  accountFailures: number;
}

export async function recordLoginFailure(ctx: AppContext, email: string, ip: string | null): Promise<FailureOutcome> {
  const account = accountKey(email);
  const pairKey = key(ctx, 'fail', account, ip ?? 'unknown');
  const hourKey = key(ctx, 'account-fail', account);
  const [pairFailures = 0, , accountFailures = 0] = await integers(
    ctx.redis.multi().incr(pairKey).expire(pairKey, ctx.config.lockoutSeconds, 'NX').incr(hourKey).expire(hourKey, 3_600, 'NX'),
  );
  let locked = false;
  if (pairFailures >= ctx.config.loginFailuresPerAccountIp) {
    // SET NX: the lockout starts at the failure that crossed the limit and is not extended by later ones.
    locked = (await ctx.redis.set(key(ctx, 'lock', account, ip ?? 'unknown'), '1', 'EX', ctx.config.lockoutSeconds, 'NX')) === 'OK';
    await ctx.redis.del(pairKey);
  }
  return { locked, accountFailures };
}

export async function clearLoginFailures(ctx: AppContext, email: string, ip: string | null): Promise<void> {
  await ctx.redis.del(key(ctx, 'fail', accountKey(email), ip ?? 'unknown'));
}

export async function accountFailuresThisHour(ctx: AppContext, email: string): Promise<number> {
  return Number((await ctx.redis.get(key(ctx, 'account-fail', accountKey(email)))) ?? 0);
}

/** The delay before answering a login for an account under a distributed attack: grows with the excess, capped. */
export function progressiveDelayMs(accountFailures: number, limit: number): number {
  if (accountFailures < limit) return 0;
  return Math.min(250 * 2 ** Math.floor((accountFailures - limit) / 10), 5_000);
}

/** Counts distinct accounts one IP touched in the last hour; true when it first crosses the threshold. */
export async function noteAccountFromIp(ctx: AppContext, ip: string | null, email: string, threshold = 20): Promise<boolean> {
  if (!ip) return false;
  // Windows open at the first event (EXPIRE NX) rather than on clock boundaries, so a burst is never split in two.
  const setKey = key(ctx, 'ip-accounts', ip);
  const [added, distinct] = await integers(ctx.redis.multi().sadd(setKey, accountKey(email)).scard(setKey).expire(setKey, 3_600, 'NX'));
  return added === 1 && distinct === threshold;
}

/** True when one session refreshed more than `threshold` times in a minute (a stolen token in a loop). */
export async function noteRefresh(ctx: AppContext, sessionId: string, threshold = 30): Promise<boolean> {
  const counter = key(ctx, 'refresh-rate', sessionId);
  const [count] = await integers(ctx.redis.multi().incr(counter).expire(counter, 60, 'NX'));
  return count === threshold + 1;
}

/** TOTP codes are single-use: a code seen once for a user within its validity is refused. */
export async function claimTotpCode(ctx: AppContext, userId: string, code: string): Promise<boolean> {
  return (await ctx.redis.set(key(ctx, 'totp-used', userId, code), '1', 'EX', 120, 'NX')) === 'OK';
}
