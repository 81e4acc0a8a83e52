import type { Caller } from '@flux/server-kit';
import {
  type AdminOrganization,
  type AdminUser,
  type AdminUsersQuery,
  AppError,
  type Page,
  type SecurityEvent,
  type SecurityEventsQuery,
  type SignOutResult,
} from '@flux/shared';
import { findUserById } from '../accounts/repository.js';
import type { AppContext } from '../context.js';
import { pageRequest, toPage } from '../pagination.js';
import { authorize } from '../policies.js';
import { type RequestMeta, recordSecurityEvent } from '../security/events.js';
import { findSecurityEvents } from '../security/service.js';
import { revokeAndAnnounce } from '../sessions/service.js';
import { toAdminOrganization, toAdminUser } from './mappers.js';
import * as repo from './repository.js';

/**
 * The admin console's gate, before any validation: platform admins (whose account is not disabled)
 * pass; everyone else gets the 404 of a route that does not exist. Read from the database on every
 * request, so a revoked admin loses the console at once.
 */
export async function requirePlatformAdmin(ctx: AppContext, caller: Caller): Promise<void> {
  const user = await findUserById(ctx.db, caller.id);
  authorize({ id: caller.id, isAdmin: !!user?.is_admin && !user.disabled_at }, 'platform:admin', null);
}

async function adminUser(ctx: AppContext, id: string): Promise<AdminUser> {
  const row = await repo.findUser(ctx.db, id);
  if (!row) throw AppError.notFound('User');
  return toAdminUser(row);
}

export const me = (ctx: AppContext, caller: Caller) => adminUser(ctx, caller.id);

export async function listUsers(ctx: AppContext, query: AdminUsersQuery): Promise<Page<AdminUser>> {
  const page = pageRequest(query);
  const rows = await repo.listUsers(ctx.db, query.q, page);
  return toPage(rows, page.limit, (row) => [row.created_at, row.id], toAdminUser);
}

const notYourself = (what: string) => AppError.conflict('conflict', `You cannot ${what} your own account here.`);

/**
 * Disables an account: it cannot sign in (sessions/service.ts refuses it), and its sessions end now.
 * They end through `revokeAndAnnounce`, so `sessions.revoked` leaves in the same transaction and
 * messaging and collab refuse its tokens and close its sockets as soon as it is relayed.
 */
export async function disableUser(ctx: AppContext, caller: Caller, id: string, meta: RequestMeta): Promise<AdminUser> {
  if (id === caller.id) throw notYourself('disable');
  await ctx.db.transaction().execute(async (trx) => {
    const updated = await repo.setDisabled(trx, id, caller.id);
    if (Number(updated.numUpdatedRows) === 0) throw AppError.notFound('User');
    const sessions = await revokeAndAnnounce(ctx, trx, { userId: id }, 'account_disabled');
    await recordSecurityEvent(ctx, trx, {
      type: 'account_disabled',
      userId: id,
      meta,
      metadata: { by: caller.id, sessions: sessions.length },
    });
  });
  ctx.log.info({ userId: id, by: caller.id }, 'account disabled');
  return adminUser(ctx, id);
}

export async function enableUser(ctx: AppContext, caller: Caller, id: string, meta: RequestMeta): Promise<AdminUser> {
  await ctx.db.transaction().execute(async (trx) => {
    const updated = await repo.setDisabled(trx, id, null);
    if (Number(updated.numUpdatedRows) === 0) throw AppError.notFound('User');
    await recordSecurityEvent(ctx, trx, { type: 'account_enabled', userId: id, meta, metadata: { by: caller.id } });
  });
  ctx.log.info({ userId: id, by: caller.id }, 'account enabled');
  return adminUser(ctx, id);
}

/** Ends every session of the account (the same way as its own "sign out everywhere"). */
export async function signOutUser(ctx: AppContext, caller: Caller, id: string, meta: RequestMeta): Promise<SignOutResult> {
  if (id === caller.id) throw notYourself('sign out');
  if (!(await findUserById(ctx.db, id))) throw AppError.notFound('User');
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    const revoked = await revokeAndAnnounce(ctx, trx, { userId: id }, 'signed_out_by_admin');
    await recordSecurityEvent(ctx, trx, {
      type: 'signed_out_by_admin',
      userId: id,
      meta,
      metadata: { by: caller.id, sessions: revoked.length },
    });
    return revoked;
  });
  return { revokedSessions: revoked.length };
}

export async function listOrganizations(ctx: AppContext, query: AdminUsersQuery): Promise<Page<AdminOrganization>> {
  const page = pageRequest(query);
  const rows = await repo.listOrganizations(ctx.db, query.q, page);
  const owners = await repo.ownersOf(
    ctx.db,
    rows.map((row) => row.id),
  );
  return toPage(
    rows,
    page.limit,
    (row) => [row.created_at, row.id],
    (row) =>
      toAdminOrganization(
        row,
        owners.filter((owner) => owner.organization_id === row.id).map(({ id, name, email }) => ({ id, name, email })),
      ),
  );
}

/** Everyone's security events, filtered by type, user and a time range (`since <= createdAt < until`). */
export const listSecurityEvents = (ctx: AppContext, query: SecurityEventsQuery): Promise<Page<SecurityEvent>> =>
  findSecurityEvents(ctx, query.userId ?? null, query);
