import type { Caller } from '@flux/server-kit';
import { AppError, type Page, type SecurityEvent } from '@flux/shared';
import { findUserById } from '../accounts/repository.js';
import type { AppContext } from '../context.js';
import { can } from '../policies.js';
import { pageRequest, toPage } from '../pagination.js';
import { toSecurityEvent } from './mappers.js';
import * as repo from './repository.js';

/** The caller's own security events, newest first; platform admins see everyone's. */
export async function listSecurityEvents(
  ctx: AppContext,
  caller: Caller,
  query: { cursor?: string; limit: number },
): Promise<Page<SecurityEvent>> {
  const user = await findUserById(ctx.db, caller.id);
  if (!user) throw AppError.unauthorized();
  const everyone = can({ id: user.id, isAdmin: user.is_admin }, 'security_event:read_all', null);
  const page = pageRequest(query);
  const rows = await repo.listSecurityEvents(ctx.db, everyone ? null : user.id, page);
  return toPage(rows, page.limit, (row) => [row.created_at, row.id], toSecurityEvent);
}
