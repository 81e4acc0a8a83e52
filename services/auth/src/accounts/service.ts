import type { Caller } from '@flux/server-kit';
import { AppError, type LoginBody, type PublicUser, type SignupBody } from '@flux/shared';
import { claimFirstAdmin } from '../admin/repository.js';
import type { AppContext } from '../context.js';
import { recordSecurityEvent, type RequestMeta } from '../security/events.js';
import { clearLoginFailures, noteAccountFromIp, recordLoginFailure, reserveLoginAttempt } from '../security/limits.js';
import { revokeAndAnnounce, startSession, type IssuedTokens } from '../sessions/service.js';
import { confirmEmailChange } from './change-email.js';
import { normaliseEmail } from './email.js';
import { consumeEmailToken, issueEmailToken } from './email-tokens.js';
import { toPublicUser } from './mappers.js';
import { checkSecondFactor } from './mfa.js';
import { assertStrongPassword, burnPasswordCheck, hashPassword, verifyPassword } from './password.js';
import type { UserRow } from '../db/database.js';
import { findUserByEmail, findUserById, insertUser, updateUser } from './repository.js';

const VERIFY_TTL_SECONDS = 24 * 3600;
const RESET_TTL_SECONDS = 3600;

const link = (ctx: AppContext, path: string, token: string) =>
  `${ctx.config.publicUrl.replace(/\/$/, '')}${path}?token=${encodeURIComponent(token)}`;

async function flagManyAccounts(ctx: AppContext, email: string, meta: RequestMeta): Promise<void> {
  if (await noteAccountFromIp(ctx, meta.ip, email)) {
    await recordSecurityEvent(ctx, ctx.db, { type: 'anomaly_many_accounts_from_ip', userId: null, meta, metadata: { ip: meta.ip } });
  }
}

/**
 * Creates an account, mails a verification link, and signs it in. Pending invitations of its email
 * are NOT accepted here: anyone can sign up with any address, so an invitation is accepted only
 * through its mailed link or once the email is verified (invitations/service.ts).
 */
export async function signup(ctx: AppContext, body: SignupBody, meta: RequestMeta): Promise<IssuedTokens> {
  const email = normaliseEmail(body.email);
  const name = body.name.trim();
  if (!name) throw AppError.validation('name', 'must not be blank');
  assertStrongPassword(body.password, [email, name, ...email.split(/[@.]/)]);
  await flagManyAccounts(ctx, email, meta);
  const passwordHash = await hashPassword(body.password);
  const { user, verifyToken } = await ctx.db.transaction().execute(async (trx) => {
    const user = await insertUser(trx, { email, name, password_hash: passwordHash });
    if (!user) throw AppError.conflict('email_taken', 'An account with this email already exists.');
    if (await claimFirstAdmin(trx, user.id)) ctx.log.info({ userId: user.id }, 'first account of this install: platform admin');
    const verifyToken = await issueEmailToken(trx, user.id, 'verify_email', VERIFY_TTL_SECONDS);
    await recordSecurityEvent(ctx, trx, { type: 'signup', userId: user.id, meta });
    return { user, verifyToken };
  });
  await sendVerification(ctx, user.email, verifyToken);
  await ctx.events.publish('user.created', { userId: user.id, email: user.email, name: user.name });
  return startSession(ctx, user, meta);
}

async function sendVerification(ctx: AppContext, email: string, token: string): Promise<void> {
  await ctx.mailer
    .send({
      to: email,
      subject: 'Confirm your email for FluxStudio',
      text: `Welcome to FluxStudio.\n\nConfirm your email address by opening this link (valid for 24 hours):\n${link(ctx, '/verify-email', token)}\n`,
    })
    .catch((err: unknown) => ctx.log.error({ err }, 'could not send the verification mail'));
}

const invalidCredentials = () => AppError.unauthorized('The email or password is incorrect.', 'invalid_credentials');

/**
 * Checks a password (and the second factor when MFA is on). Unknown emails cost the same argon2
 * work and get the same answer as wrong passwords. Each check is reserved in Redis before argon2
 * runs (security/limits.ts), so parallel guesses beyond the limits are refused, not evaluated.
 */
export async function login(ctx: AppContext, body: LoginBody, meta: RequestMeta): Promise<IssuedTokens> {
  const email = normaliseEmail(body.email);
  await flagManyAccounts(ctx, email, meta);
  const user = await checkPassword(ctx, email, body.password, body.otp, meta, { forgetFailures: true });
  return startSession(ctx, user, meta, { type: 'login_succeeded', metadata: { mfa: !!user.mfa_enabled_at } });
}

/**
 * The password (and TOTP when on) of the account with this email, under the login limits: used by
 * sign-in and by re-authentication, which would otherwise be a password oracle without limits.
 * On success the reserved attempt is given back; with `forgetFailures` (sign-in) the pair's earlier
 * failures are forgotten as well, in the same single Redis command.
 */
export async function checkPassword(
  ctx: AppContext,
  email: string,
  password: string,
  otp: string | undefined,
  meta: RequestMeta,
  { forgetFailures = false } = {},
): Promise<UserRow> {
  const attempt = await reserveLoginAttempt(ctx, email, meta.ip);
  if (!attempt.allowed) {
    if (attempt.lockedNow)
      await recordSecurityEvent(ctx, ctx.db, {
        type: 'login_locked',
        userId: (await findUserByEmail(ctx.db, email))?.id ?? null,
        meta,
        metadata: { email, seconds: attempt.retryAfter },
      });
    throw AppError.rateLimited(attempt.retryAfter, 'Too many failed sign-ins for this account; try again later.');
  }
  const user = await findUserByEmail(ctx.db, email);
  const fail = async (reason: string, userId: string | null, error = invalidCredentials()): Promise<never> => {
    const outcome = await recordLoginFailure(ctx, email, meta.ip);
    await recordSecurityEvent(ctx, ctx.db, {
      type: reason === 'invalid_otp' ? 'mfa_failed' : 'login_failed',
      userId,
      meta,
      metadata: { reason },
    });
    if (outcome.locked)
      await recordSecurityEvent(ctx, ctx.db, {
        type: 'login_locked',
        userId,
        meta,
        metadata: { email, seconds: ctx.config.lockoutSeconds },
      });
    throw error;
  };
  if (!user?.password_hash) {
    await burnPasswordCheck(password);
    return fail(user ? 'no_password' : 'unknown_email', user?.id ?? null);
  }
  if (!(await verifyPassword(user.password_hash, password))) return fail('wrong_password', user.id);
  if (user.mfa_enabled_at) {
    if (!otp) {
      // The password was right: this was not a guess, so it does not count against the pair.
      await attempt.release();
      throw AppError.unauthorized('Enter the code from your authenticator app.', 'mfa_required');
    }
    if (!(await checkSecondFactor(ctx, user, otp, meta))) {
      return fail('invalid_otp', user.id, AppError.unauthorized('The authentication code is not valid.', 'invalid_otp'));
    }
  }
  await (forgetFailures ? clearLoginFailures(ctx, email, meta.ip) : attempt.release());
  return user;
}

export async function me(ctx: AppContext, caller: Caller): Promise<PublicUser> {
  const user = await findUserById(ctx.db, caller.id);
  if (!user) throw AppError.unauthorized();
  return toPublicUser(user);
}

const badToken = () =>
  new AppError('invalid_email_token', 400, 'This link is invalid, expired or already used; ask for a new one.', { field: 'token' });

/** The link mailed at sign-up, or the one mailed to a new address (change-email.ts): both land here. */
export async function verifyEmail(ctx: AppContext, token: string, meta: RequestMeta): Promise<PublicUser> {
  const changed = await confirmEmailChange(ctx, token, meta);
  if (changed) return changed;
  const user = await ctx.db.transaction().execute(async (trx) => {
    const userId = await consumeEmailToken(trx, token, 'verify_email');
    if (!userId) throw badToken();
    const user = await updateUser(trx, userId, { email_verified_at: new Date() });
    // The token's row references the user, so only a concurrent account deletion gets here.
    if (!user) throw badToken();
    await recordSecurityEvent(ctx, trx, { type: 'email_verified', userId, meta });
    return user;
  });
  return toPublicUser(user);
}

export async function resendVerification(ctx: AppContext, caller: Caller): Promise<void> {
  const user = await findUserById(ctx.db, caller.id);
  if (!user || user.email_verified_at) return;
  await sendVerification(ctx, user.email, await issueEmailToken(ctx.db, user.id, 'verify_email', VERIFY_TTL_SECONDS));
}

/** Always the same quick answer; the mail (if any) is prepared after answering, so timing tells nothing. */
export function forgotPassword(ctx: AppContext, emailInput: string, meta: RequestMeta): void {
  const email = normaliseEmail(emailInput);
  ctx.background.run('password_reset_mail', async () => {
    const user = await findUserByEmail(ctx.db, email);
    await recordSecurityEvent(ctx, ctx.db, {
      type: 'password_reset_requested',
      userId: user?.id ?? null,
      meta,
      metadata: { known: !!user },
    });
    if (!user) return;
    const token = await issueEmailToken(ctx.db, user.id, 'reset_password', RESET_TTL_SECONDS);
    await ctx.mailer.send({
      to: user.email,
      subject: 'Reset your FluxStudio password',
      text: `Someone asked to reset the password of your FluxStudio account.\n\nOpen this link within an hour to choose a new one:\n${link(ctx, '/reset-password', token)}\n\nIf it was not you, ignore this mail.\n`,
    });
  });
}

/** Sets a new password with a mailed token and signs every session out. */
export async function resetPassword(ctx: AppContext, token: string, password: string, meta: RequestMeta): Promise<void> {
  assertStrongPassword(password);
  const passwordHash = await hashPassword(password);
  await ctx.db.transaction().execute(async (trx) => {
    const userId = await consumeEmailToken(trx, token, 'reset_password');
    if (!userId) throw badToken();
    const user = await findUserById(trx, userId);
    if (!user) throw badToken();
    // The mailbox owner proved themself, so the email counts as verified.
    await updateUser(trx, userId, { password_hash: passwordHash, email_verified_at: user.email_verified_at ?? new Date() });
    const revoked = await revokeAndAnnounce(ctx, trx, { userId }, 'password_reset');
    await recordSecurityEvent(ctx, trx, { type: 'password_reset', userId, meta, metadata: { sessionsRevoked: revoked.length } });
  });
}

/** Renames the user and tells other services (they cache names for mentions and presence). */
export async function updateProfile(ctx: AppContext, caller: Caller, body: { name: string }): Promise<PublicUser> {
  const name = body.name.trim();
  if (!name) throw AppError.validation('name', 'must not be blank');
  const user = await updateUser(ctx.db, caller.id, { name });
  if (!user) throw AppError.unauthorized();
  await ctx.events.publish('user.updated', { userId: user.id, email: user.email, name: user.name });
  return toPublicUser(user);
}
