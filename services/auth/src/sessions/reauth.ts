import type { Caller } from '@flux/server-kit';
import { AppError, type ReauthBody, type ReauthResponse } from '@flux/shared';
import { findUserById } from '../accounts/repository.js';
import { checkPassword } from '../accounts/service.js';
import type { AppContext } from '../context.js';
import { countersOf } from '../security/counters.js';
import { recordSecurityEvent, type RequestMeta } from '../security/events.js';

/** How long a re-authentication lets a session make sensitive changes (MFA, password, email). */
export const REAUTH_SECONDS = 300;

const reauthKey = (ctx: AppContext, sessionId: string) => `${ctx.config.redisPrefix}auth:reauth:${sessionId}`;

/**
 * The password (and TOTP when on) once more, under the same limits as sign-in; marks this session
 * (not the account) re-authenticated for five minutes, so a stolen access token alone cannot turn
 * MFA off or take the account over.
 */
export async function reauthenticate(ctx: AppContext, caller: Caller, body: ReauthBody, meta: RequestMeta): Promise<ReauthResponse> {
  const user = await findUserById(ctx.db, caller.id);
  if (!user) throw AppError.unauthorized();
  await checkPassword(ctx, user.email, body.password, body.otp, meta);
  const until = new Date(Date.now() + REAUTH_SECONDS * 1000);
  // Through auth's counters, so a Redis outage falls back to this instance's memory instead of failing.
  const counters = countersOf(ctx);
  await counters.remove(reauthKey(ctx, caller.sessionId));
  await counters.claim(reauthKey(ctx, caller.sessionId), REAUTH_SECONDS * 1000);
  await recordSecurityEvent(ctx, ctx.db, { type: 'reauthenticated', userId: user.id, meta, metadata: { sessionId: caller.sessionId } });
  return { reauthenticatedUntil: until.toISOString() };
}

/** Refuses a sensitive change unless this session re-authenticated within the last five minutes. */
export async function assertRecentReauth(ctx: AppContext, caller: Caller): Promise<void> {
  if ((await countersOf(ctx).pttl(reauthKey(ctx, caller.sessionId))) <= 0)
    throw new AppError('reauth_required', 401, 'Confirm your password first (POST /api/auth/reauth); it counts for five minutes.');
}
