import { type Caller, isUniqueViolation } from '@flux/server-kit';
import { AppError, type PublicUser } from '@flux/shared';
import type { AppContext } from '../context.js';
import type { UserRow } from '../db/database.js';
import { recordSecurityEvent, type RequestMeta } from '../security/events.js';
import { normaliseEmail } from './email.js';
import { consumeEmailChangeToken, issueEmailToken } from './email-tokens.js';
import { toPublicUser } from './mappers.js';
import { findUserByEmail, findUserById, updateUser } from './repository.js';

const CHANGE_TTL_SECONDS = 24 * 3600;

const emailTaken = () => AppError.conflict('email_taken', 'An account with this email already exists.');

/**
 * Starts moving the signed-in account to another address (the route requires a re-authentication of
 * this session within five minutes): a link to the new address, which becomes the account's only when
 * opened (confirmEmailChange), and a notice to the current one so its owner hears of it either way.
 * Whether the new address already has an account is not told here (that would answer "is X a user?");
 * the confirmation refuses it.
 */
export async function requestEmailChange(ctx: AppContext, caller: Caller, emailInput: string, meta: RequestMeta): Promise<void> {
  const user = await findUserById(ctx.db, caller.id);
  if (!user) throw AppError.unauthorized();
  const email = normaliseEmail(emailInput);
  if (email === user.email) throw AppError.validation('email', 'is already the email of this account');
  const token = await ctx.db.transaction().execute(async (trx) => {
    await recordSecurityEvent(ctx, trx, { type: 'email_change_requested', userId: user.id, meta, metadata: { to: email } });
    return issueEmailToken(trx, user.id, 'change_email', CHANGE_TTL_SECONDS, email);
  });
  const base = ctx.config.publicUrl.replace(/\/$/, '');
  // Like the other mails, sent after answering: a slow mail server does not hold the request.
  ctx.background.run('email_change_mail', async () => {
    await ctx.mailer.send({
      to: email,
      subject: 'Confirm your new email for FluxStudio',
      text: `Someone asked to use this address for the FluxStudio account of ${user.name}.\n\nOpen this link within 24 hours to confirm it:\n${base}/verify-email?token=${encodeURIComponent(token)}\n\nIf it was not you, ignore this mail; nothing changes.\n`,
    });
    await ctx.mailer.send({
      to: user.email,
      subject: 'Your FluxStudio email is about to change',
      text: `Someone signed in to your FluxStudio account asked to change its email to ${email}.\nIt changes only once a link mailed to that address is opened.\n\nIf it was not you, change your password and sign out every session from your account page: ${base}/account\n`,
    });
  });
}

/** Spends a `change_email` token: the account takes the address it carries, now verified; undefined for any other token. */
export async function confirmEmailChange(ctx: AppContext, token: string, meta: RequestMeta): Promise<PublicUser | undefined> {
  let user: UserRow | undefined;
  try {
    user = await ctx.db.transaction().execute(async (trx) => {
      const change = await consumeEmailChangeToken(trx, token);
      if (!change) return undefined;
      // Checked now, not when asked: the address may have signed up since. The token stays unspent (rollback).
      if (await findUserByEmail(trx, change.newEmail)) throw emailTaken();
      const before = await findUserById(trx, change.userId);
      const updated = await updateUser(trx, change.userId, { email: change.newEmail, email_verified_at: new Date() });
      if (updated)
        await recordSecurityEvent(ctx, trx, {
          type: 'email_changed',
          userId: updated.id,
          meta,
          metadata: { from: before?.email, to: updated.email },
        });
      return updated;
    });
  } catch (err) {
    // Another account took the address between the check and the update.
    if (isUniqueViolation(err)) throw emailTaken();
    throw err;
  }
  if (!user) return undefined;
  await ctx.events.publish('user.updated', { userId: user.id, email: user.email, name: user.name });
  return toPublicUser(user);
}
