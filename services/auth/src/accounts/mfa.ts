import type { Caller } from '@flux/server-kit';
import { AppError, type TotpSetup } from '@flux/shared';
import { authenticator as base } from 'otplib';
import QRCode from 'qrcode';
import type { AppContext } from '../context.js';
import type { UserRow } from '../db/database.js';
import { recordSecurityEvent, type RequestMeta } from '../security/events.js';
import { claimTotpCode, reserveTotpAttempt } from '../security/limits.js';
import { hashToken } from '../tokens/opaque.js';
import { randomBytes } from 'node:crypto';
import { deleteRecoveryCodes, findUserById, insertRecoveryCodes, spendRecoveryCode, updateUser } from './repository.js';
import { SecretBox } from './secret-box.js';

/** One step of clock drift either way, as authenticator apps expect. */
const authenticator = base.clone({ window: 1 });
const ISSUER = 'FluxStudio';
const RECOVERY_CODES = 10;

const box = (ctx: AppContext) => new SecretBox(ctx.keys.seed, ctx.keys.legacySeedSecret);
const normaliseCode = (code: string) => code.replaceAll(/[\s-]/g, '').toLowerCase();
const newRecoveryCode = () => {
  const raw = randomBytes(8).toString('hex');
  return `${raw.slice(0, 8)}-${raw.slice(8)}`;
};

async function requireUser(ctx: AppContext, caller: Caller): Promise<UserRow> {
  const user = await findUserById(ctx.db, caller.id);
  if (!user) throw AppError.unauthorized();
  return user;
}

/** A fresh secret waiting for its first code; nothing changes for login until it is enabled. */
export async function setup(ctx: AppContext, caller: Caller, meta: RequestMeta): Promise<TotpSetup> {
  const user = await requireUser(ctx, caller);
  if (user.mfa_enabled_at) throw AppError.conflict('mfa_already_enabled', 'Two-factor authentication is already on; disable it first.');
  const secret = authenticator.generateSecret(20);
  await updateUser(ctx.db, user.id, { mfa_pending_secret: box(ctx).seal(secret) });
  await recordSecurityEvent(ctx, ctx.db, { type: 'mfa_setup', userId: user.id, meta });
  const otpauthUrl = authenticator.keyuri(user.email, ISSUER, secret);
  return { secret, otpauthUrl, qrCodeDataUrl: await QRCode.toDataURL(otpauthUrl) };
}

/** Turns MFA on with a first valid code and answers ten single-use recovery codes (stored hashed). */
export async function enable(ctx: AppContext, caller: Caller, code: string, meta: RequestMeta): Promise<string[]> {
  const user = await requireUser(ctx, caller);
  if (user.mfa_enabled_at) throw AppError.conflict('mfa_already_enabled', 'Two-factor authentication is already on.');
  if (!user.mfa_pending_secret) throw AppError.conflict('mfa_not_set_up', 'Call /mfa/totp/setup first.');
  const secret = box(ctx).open(user.mfa_pending_secret);
  const valid = await underTotpCap(ctx, user, meta, async () => {
    const normalised = normaliseCode(code);
    return authenticator.check(normalised, secret) && (await claimTotpCode(ctx, user.id, normalised));
  });
  if (!valid) {
    await recordSecurityEvent(ctx, ctx.db, { type: 'mfa_failed', userId: user.id, meta, metadata: { during: 'enable' } });
    throw AppError.unauthorized('The code is not valid; check the time on your device.', 'invalid_otp');
  }
  const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  await ctx.db.transaction().execute(async (trx) => {
    await updateUser(trx, user.id, { mfa_secret: user.mfa_pending_secret, mfa_pending_secret: null, mfa_enabled_at: new Date() });
    await deleteRecoveryCodes(trx, user.id);
    await insertRecoveryCodes(
      trx,
      user.id,
      codes.map((c) => hashToken(normaliseCode(c))),
    );
    await recordSecurityEvent(ctx, trx, { type: 'mfa_enabled', userId: user.id, meta });
  });
  return codes;
}

/**
 * Runs one code check under the account's TOTP cap (security/limits.ts): the attempt is reserved
 * before the check, so parallel guesses beyond the cap get 429 instead of being evaluated.
 */
async function underTotpCap(ctx: AppContext, user: UserRow, meta: RequestMeta, check: () => Promise<boolean>): Promise<boolean> {
  const attempt = await reserveTotpAttempt(ctx, user.id);
  if (!attempt.allowed) {
    if (attempt.lockedNow) await recordSecurityEvent(ctx, ctx.db, { type: 'mfa_locked', userId: user.id, meta });
    throw AppError.rateLimited(attempt.retryAfter, 'Too many wrong authentication codes for this account; try again later.');
  }
  const valid = await check();
  if (valid) await attempt.release();
  return valid;
}

/** Checks a TOTP code (single use) or spends a recovery code, under the account's TOTP cap. */
export async function checkSecondFactor(ctx: AppContext, user: UserRow, code: string, meta: RequestMeta): Promise<boolean> {
  const { mfa_secret: sealed } = user;
  if (!sealed) return true;
  const normalised = normaliseCode(code);
  return underTotpCap(ctx, user, meta, async () => {
    if (/^\d{6}$/.test(normalised)) {
      return authenticator.check(normalised, box(ctx).open(sealed)) && (await claimTotpCode(ctx, user.id, normalised));
    }
    const spent = await spendRecoveryCode(ctx.db, user.id, hashToken(normalised));
    if (spent) await recordSecurityEvent(ctx, ctx.db, { type: 'mfa_recovery_code_used', userId: user.id, meta });
    return spent;
  });
}

export async function disable(ctx: AppContext, caller: Caller, code: string, meta: RequestMeta): Promise<void> {
  const user = await requireUser(ctx, caller);
  if (!user.mfa_enabled_at) throw AppError.conflict('mfa_not_enabled', 'Two-factor authentication is not on.');
  if (!(await checkSecondFactor(ctx, user, code, meta))) {
    await recordSecurityEvent(ctx, ctx.db, { type: 'mfa_failed', userId: user.id, meta, metadata: { during: 'disable' } });
    throw AppError.unauthorized('The code is not valid.', 'invalid_otp');
  }
  await ctx.db.transaction().execute(async (trx) => {
    await updateUser(trx, user.id, { mfa_secret: null, mfa_pending_secret: null, mfa_enabled_at: null });
    await deleteRecoveryCodes(trx, user.id);
    await recordSecurityEvent(ctx, trx, { type: 'mfa_disabled', userId: user.id, meta });
  });
}
