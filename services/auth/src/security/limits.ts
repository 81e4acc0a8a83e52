import { createHash } from 'node:crypto';
import { AppError } from '@flux/shared';
import type { ChainableCommander } from 'ioredis';
import type { AppContext } from '../context.js';
import { recordSecurityEvent } from './events.js';

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
    // Logged once per window (the request that crossed the limit), not once per refused request.
    if (count === ctx.config.credentialRequestsPerIpPerMinute + 1)
      await recordSecurityEvent(ctx, ctx.db, {
        type: 'rate_limited',
        userId: null,
        meta: { ip, userAgent: null },
        metadata: { limit: 'credential_requests_per_ip_per_minute', perMinute: ctx.config.credentialRequestsPerIpPerMinute },
      });
    throw AppError.rateLimited(ttl > 0 ? ttl : 60, 'Too many sign-in attempts from your network; try again shortly.');
  }
}

/**
 * Gives a reserved attempt back. Only while its counter exists: a lockout deletes the counter, and a
 * DECR would recreate it at -1 without an expiry (one extra attempt, kept forever).
 */
async function releaseAttempt(ctx: AppContext, counter: string): Promise<void> {
  await ctx.redis.eval("if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0", 1, counter);
}

export type LoginAttempt = { allowed: true; release: () => Promise<void> } | { allowed: false; retryAfter: number; lockedNow: boolean };

/**
 * Reserves one password check for (account, IP) BEFORE the password is verified. The reservation is
 * an atomic INCR that counts as a failure until the check succeeds (then `release` clears it), so
 * parallel guesses cannot all be evaluated: once the pair holds `loginFailuresPerAccountIp`
 * reservations or failures, every further attempt — correct password or not — is refused for
 * `lockoutSeconds`. Other IPs are unaffected, so nobody can lock a victim out from elsewhere.
 * Across all IPs, an account past `accountFailuresPerHour` failures gets one check per slot whose
 * length doubles every 10 further failures (1 s … 60 s): a refusal with Retry-After, never a sleep.
 */
export async function reserveLoginAttempt(ctx: AppContext, email: string, ip: string | null): Promise<LoginAttempt> {
  const account = accountKey(email);
  const lockKey = key(ctx, 'lock', account, ip ?? 'unknown');
  const lockTtl = await ctx.redis.ttl(lockKey);
  if (lockTtl > 0) return { allowed: false, retryAfter: lockTtl, lockedNow: false };

  const failures = Number((await ctx.redis.get(key(ctx, 'account-fail', account))) ?? 0);
  const slotMs = accountSlotMs(failures, ctx.config.accountFailuresPerHour);
  if (slotMs > 0) {
    const slotKey = key(ctx, 'account-slot', account);
    if ((await ctx.redis.set(slotKey, '1', 'PX', slotMs, 'NX')) !== 'OK') {
      const left = await ctx.redis.pttl(slotKey);
      return { allowed: false, retryAfter: Math.ceil(Math.max(left, 1) / 1000), lockedNow: false };
    }
  }

  const pairKey = key(ctx, 'fail', account, ip ?? 'unknown');
  const [attempts = 0] = await integers(ctx.redis.multi().incr(pairKey).expire(pairKey, ctx.config.lockoutSeconds, 'NX'));
  if (attempts > ctx.config.loginFailuresPerAccountIp) {
    // SET NX: the lockout starts when the limit is first crossed and later attempts do not extend it.
    const lockedNow = (await ctx.redis.set(lockKey, '1', 'EX', ctx.config.lockoutSeconds, 'NX')) === 'OK';
    await ctx.redis.del(pairKey);
    return { allowed: false, retryAfter: lockedNow ? ctx.config.lockoutSeconds : Math.max(await ctx.redis.ttl(lockKey), 1), lockedNow };
  }
  return { allowed: true, release: () => releaseAttempt(ctx, pairKey) };
}

/** A reserved check failed: it stays counted for the pair, and counts for the account this hour. */
export async function recordLoginFailure(ctx: AppContext, email: string, ip: string | null): Promise<{ locked: boolean }> {
  const account = accountKey(email);
  const hourKey = key(ctx, 'account-fail', account);
  await integers(ctx.redis.multi().incr(hourKey).expire(hourKey, 3_600, 'NX'));
  const pairFailures = Number((await ctx.redis.get(key(ctx, 'fail', account, ip ?? 'unknown'))) ?? 0);
  if (pairFailures < ctx.config.loginFailuresPerAccountIp) return { locked: false };
  const locked = (await ctx.redis.set(key(ctx, 'lock', account, ip ?? 'unknown'), '1', 'EX', ctx.config.lockoutSeconds, 'NX')) === 'OK';
  if (locked) await ctx.redis.del(key(ctx, 'fail', account, ip ?? 'unknown'));
  return { locked };
}

/** A successful sign-in forgets this pair's earlier failures. */
export async function clearLoginFailures(ctx: AppContext, email: string, ip: string | null): Promise<void> {
  await ctx.redis.del(key(ctx, 'fail', accountKey(email), ip ?? 'unknown'));
}

/** The gap between password checks of an account past its hourly failure budget: 1 s, doubling every 10 failures, ≤ 60 s. */
export function accountSlotMs(accountFailures: number, limit: number): number {
  if (accountFailures < limit) return 0;
  return Math.min(1_000 * 2 ** Math.floor((accountFailures - limit) / 10), 60_000);
}

/**
 * TOTP codes have a million values, so each account gets `totpFailuresPerAccount` wrong codes per
 * `lockoutSeconds` from all IPs together (sign-in, re-authentication, enabling and disabling MFA).
 * Like password checks, an attempt is reserved before the code is checked; a good code releases it.
 */
export async function reserveTotpAttempt(ctx: AppContext, userId: string): Promise<LoginAttempt> {
  const counter = key(ctx, 'totp-attempts', userId);
  const [attempts = 0, , ttl = 0] = await integers(
    ctx.redis.multi().incr(counter).expire(counter, ctx.config.lockoutSeconds, 'NX').ttl(counter),
  );
  if (attempts > ctx.config.totpFailuresPerAccount) {
    return { allowed: false, retryAfter: Math.max(ttl, 1), lockedNow: attempts === ctx.config.totpFailuresPerAccount + 1 };
  }
  return { allowed: true, release: () => releaseAttempt(ctx, counter) };
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

/** True when one session sends its `requestBurstPerMinute + 1`-th request to auth within a minute (a script on a stolen token). */
export async function noteRequestBurst(ctx: AppContext, sessionId: string): Promise<boolean> {
  const counter = key(ctx, 'session-requests', sessionId);
  const [count] = await integers(ctx.redis.multi().incr(counter).expire(counter, 60, 'NX'));
  return count === ctx.config.requestBurstPerMinute + 1;
}
