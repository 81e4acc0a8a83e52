import type { Caller } from '@flux/server-kit';
import { AppError } from '@flux/shared';
import type { AppContext } from '../context.js';
import { recordSecurityEvent, type RequestMeta } from '../security/events.js';
import { listActiveSessions } from '../sessions/repository.js';
import { revokeAndAnnounce } from '../sessions/service.js';
import { assertStrongPassword, hashPassword } from './password.js';
import { findUserById, updateUser } from './repository.js';

/**
 * A new password for the signed-in account (the route requires a re-authentication of this session
 * within five minutes). Every other session of the account is signed out, as after a reset: whoever
 * knew the old password no longer holds a session.
 */
export async function changePassword(ctx: AppContext, caller: Caller, password: string, meta: RequestMeta): Promise<void> {
  const user = await findUserById(ctx.db, caller.id);
  if (!user) throw AppError.unauthorized();
  assertStrongPassword(password, [user.email, user.name, ...user.email.split(/[@.]/)]);
  const passwordHash = await hashPassword(password);
  await ctx.db.transaction().execute(async (trx) => {
    await updateUser(trx, user.id, { password_hash: passwordHash });
    const others = (await listActiveSessions(trx, user.id)).map((s) => s.id).filter((id) => id !== caller.sessionId);
    const revoked = await revokeAndAnnounce(ctx, trx, { userId: user.id, ids: others }, 'password_changed');
    await recordSecurityEvent(ctx, trx, { type: 'password_changed', userId: user.id, meta, metadata: { sessionsRevoked: revoked.length } });
  });
}
