import { createHash } from 'node:crypto';
import { AppError } from '@flux/shared';
import type { AppContext } from '../context.js';
import { countersOf } from './counters.js';
import { recordSecurityEvent } from './events.js';

/**
 * Abuse controls kept in Redis so they hold across instances (in this process's memory while Redis
 * is unreachable, see counters.ts). The lockout key is the pair
 * (account, IP): an attacker elsewhere can fail as often as they like without locking the victim
 * out of their own IP; failures from everywhere only slow the account down (progressive delay).
 */
const accountKey = (email: string) => createHash('sha256').update(email).digest('hex').slice(0, 32);
const key = (ctx: AppContext, ...parts: string[]) => `${ctx.config.redisPrefix}auth:${parts.join(':')}`;

/** More than N credential requests (signup, login, password, MFA) a minute from one IP → 429. */
export async function limitCredentialRequests(ctx: AppContext, ip: string | null): Promise<void> {
  const { count, ttl } = await countersOf(ctx).hit(key(ctx, 'ip-credential', ip ?? 'unknown'), 60);
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
  await countersOf(ctx).giveBack(counter);
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
  const counters = countersOf(ctx);
  const account = accountKey(email);
  const lockKey = key(ctx, 'lock', account, ip ?? 'unknown');
  // Both reads at once (one wait): the lock decides first, the account's failures second.
  const [lockMs, failures] = await Promise.all([counters.pttl(lockKey), counters.value(key(ctx, 'account-fail', account))]);
  if (lockMs > 0) return { allowed: false, retryAfter: Math.ceil(lockMs / 1000), lockedNow: false };

  const slotMs = accountSlotMs(failures, ctx.config.accountFailuresPerHour);
  if (slotMs > 0) {
    const slotKey = key(ctx, 'account-slot', account);
    if (!(await counters.claim(slotKey, slotMs))) {
      const left = await counters.pttl(slotKey);
      return { allowed: false, retryAfter: Math.ceil(Math.max(left, 1) / 1000), lockedNow: false };
    }
  }

  const pairKey = key(ctx, 'fail', account, ip ?? 'unknown');
  const { count: attempts } = await counters.hit(pairKey, ctx.config.lockoutSeconds);
  if (attempts > ctx.config.loginFailuresPerAccountIp) {
    // Claimed (SET NX): the lockout starts when the limit is first crossed and later attempts do not extend it.
    const lockedNow = await counters.claim(lockKey, ctx.config.lockoutSeconds * 1000);
    await counters.remove(pairKey);
    const retryAfter = lockedNow ? ctx.config.lockoutSeconds : Math.max(Math.ceil((await counters.pttl(lockKey)) / 1000), 1);
    return { allowed: false, retryAfter, lockedNow };
  }
  return { allowed: true, release: () => releaseAttempt(ctx, pairKey) };
}

/** A reserved check failed: it stays counted for the pair, and counts for the account this hour. */
export async function recordLoginFailure(ctx: AppContext, email: string, ip: string | null): Promise<{ locked: boolean }> {
  const counters = countersOf(ctx);
  const account = accountKey(email);
  await counters.hit(key(ctx, 'account-fail', account), 3_600);
  const pairKey = key(ctx, 'fail', account, ip ?? 'unknown');
  if ((await counters.value(pairKey)) < ctx.config.loginFailuresPerAccountIp) return { locked: false };
  const locked = await counters.claim(key(ctx, 'lock', account, ip ?? 'unknown'), ctx.config.lockoutSeconds * 1000);
  if (locked) await counters.remove(pairKey);
  return { locked };
}

/** A successful sign-in forgets this pair's earlier failures. */
export async function clearLoginFailures(ctx: AppContext, email: string, ip: string | null): Promise<void> {
  await countersOf(ctx).remove(key(ctx, 'fail', accountKey(email), ip ?? 'unknown'));
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
  const { count: attempts, ttl } = await countersOf(ctx).hit(counter, ctx.config.lockoutSeconds);
  if (attempts > ctx.config.totpFailuresPerAccount) {
    return { allowed: false, retryAfter: Math.max(ttl, 1), lockedNow: attempts === ctx.config.totpFailuresPerAccount + 1 };
  }
  return { allowed: true, release: () => releaseAttempt(ctx, counter) };
}

/** Counts distinct accounts one IP touched in the last hour; true when it first crosses the threshold. */
export async function noteAccountFromIp(ctx: AppContext, ip: string | null, email: string, threshold = 20): Promise<boolean> {
  if (!ip) return false;
  // Windows open at the first event (EXPIRE NX) rather than on clock boundaries, so a burst is never split in two.
  const { added, size } = await countersOf(ctx).addMember(key(ctx, 'ip-accounts', ip), accountKey(email), 3_600);
  return added && size === threshold;
}

/** True when one session refreshed more than `threshold` times in a minute (a stolen token in a loop). */
export async function noteRefresh(ctx: AppContext, sessionId: string, threshold = 30): Promise<boolean> {
  const { count } = await countersOf(ctx).hit(key(ctx, 'refresh-rate', sessionId), 60);
  return count === threshold + 1;
}

/** TOTP codes are single-use: a code seen once for a user within its validity is refused. */
export async function claimTotpCode(ctx: AppContext, userId: string, code: string): Promise<boolean> {
  return countersOf(ctx).claim(key(ctx, 'totp-used', userId, code), 120_000);
}

/** True when one session sends its `requestBurstPerMinute + 1`-th request to auth within a minute (a script on a stolen token). */
export async function noteRequestBurst(ctx: AppContext, sessionId: string): Promise<boolean> {
  const { count } = await countersOf(ctx).hit(key(ctx, 'session-requests', sessionId), 60);
  return count === ctx.config.requestBurstPerMinute + 1;
}
