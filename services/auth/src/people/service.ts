import type { Caller } from '@flux/server-kit';
import { AppError, type AccountDeletion, type Person } from '@flux/shared';
import { findUserById } from '../accounts/repository.js';
import type { AppContext } from '../context.js';
import { recordSecurityEvent, type RequestMeta } from '../security/events.js';
import { revokeAndAnnounce } from '../sessions/service.js';
import { avatarUrl } from '../users/service.js';
import { toAvatar } from './avatar-image.js';
import * as repo from './repository.js';

async function personOf(ctx: AppContext, userId: string): Promise<Person> {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw AppError.unauthorized();
  const avatar = await repo.findAvatar(ctx.db, userId);
  return { id: user.id, name: user.name, avatarUrl: avatarUrl(user.id, avatar?.version ?? null) };
}

/** `PUT /api/auth/me/avatar`: the image resized, cropped and re-encoded once here, served as stored. */
export async function setAvatar(ctx: AppContext, caller: Caller, upload: Buffer): Promise<Person> {
  const image = await toAvatar(upload);
  await repo.upsertAvatar(ctx.db, caller.id, image);
  return personOf(ctx, caller.id);
}

export async function removeAvatar(ctx: AppContext, caller: Caller): Promise<Person> {
  await repo.deleteAvatar(ctx.db, caller.id);
  return personOf(ctx, caller.id);
}

/** The stored avatar of someone the caller may see (`GET /api/users/:id` decides who); 404 when none. */
export async function avatar(ctx: AppContext, userId: string): Promise<{ version: number; image: Buffer }> {
  const row = await repo.findAvatar(ctx.db, userId);
  if (!row) throw AppError.notFound('Avatar');
  return row;
}

/**
 * `DELETE /api/auth/me` (after re-authentication): every session ends now; the account and its
 * personal data are erased by the purge job once the grace period is over, unless its owner signs in
 * before (`startSession` cancels it).
 */
export async function requestDeletion(ctx: AppContext, caller: Caller, meta: RequestMeta): Promise<AccountDeletion> {
  const now = new Date();
  await ctx.db.transaction().execute(async (trx) => {
    await repo.scheduleDeletion(trx, caller.id, now);
    await revokeAndAnnounce(ctx, trx, { userId: caller.id }, 'account_deleted');
    await recordSecurityEvent(ctx, trx, { type: 'account_deletion_requested', userId: caller.id, meta, metadata: {} });
  });
  return { deletionScheduledFor: new Date(now.getTime() + ctx.config.deletionGraceSeconds * 1000).toISOString() };
}
