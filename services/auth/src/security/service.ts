import { AppError, type Page, type SecurityEvent } from '@flux/shared';
import { findUserById } from '../accounts/repository.js';
import type { AuthContext } from '../context.js';
import { pageRequest, toPage } from '../pagination.js';
import { toSecurityEvent } from './mappers.js';
import * as repo from './repository.js';

/** The caller's own security events, newest first; platform admins see everyone's. */
export async function listSecurityEvents(
  ctx: AuthContext,
  userId: string,
  query: { cursor?: string; limit: number },
): Promise<Page<SecurityEvent>> {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw AppError.unauthorized();
  const page = pageRequest(query);
  const rows = await repo.listSecurityEvents(ctx.db, user.is_admin ? null : userId, page);
  return toPage(rows, page.limit, (row) => [row.created_at, row.id], toSecurityEvent);
}
