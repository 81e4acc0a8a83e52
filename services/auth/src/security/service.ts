import type { Caller } from '@flux/server-kit';
import { AppError, type Page, type SecurityEvent, type SecurityEventsQuery } from '@flux/shared';
import { findUserById } from '../accounts/repository.js';
import type { AppContext } from '../context.js';
import { can } from '../policies.js';
import { pageRequest, toPage } from '../pagination.js';
import { toSecurityEvent } from './mappers.js';
import * as repo from './repository.js';

/**
 * The caller's own security events, newest first, filtered by type and time; platform admins see
 * everyone's and may filter by user. A non-admin asking for someone else's gets 404 (hides).
 */
export async function listSecurityEvents(ctx: AppContext, caller: Caller, query: SecurityEventsQuery): Promise<Page<SecurityEvent>> {
  const user = await findUserById(ctx.db, caller.id);
  if (!user) throw AppError.unauthorized();
  const everyone = can({ id: user.id, isAdmin: user.is_admin }, 'security_event:read_all', null);
  if (!everyone && query.userId !== undefined && query.userId !== user.id) throw AppError.notFound('User');
  return findSecurityEvents(ctx, everyone ? (query.userId ?? null) : user.id, query);
}

/** One user's events (everyone's with `null`), filtered by type and time, newest first. */
export async function findSecurityEvents(ctx: AppContext, userId: string | null, query: SecurityEventsQuery): Promise<Page<SecurityEvent>> {
  const since = query.since === undefined ? undefined : new Date(query.since);
  const until = query.until === undefined ? undefined : new Date(query.until);
  if (since && until && since >= until) throw AppError.validation('until', 'must be later than since');
  const page = pageRequest(query);
  const rows = await repo.listSecurityEvents(ctx.db, { userId, type: query.type, since, until }, page);
  return toPage(rows, page.limit, (row) => [row.created_at, row.id], toSecurityEvent);
}
