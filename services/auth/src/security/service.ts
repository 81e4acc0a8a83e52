import { AppError, type Page, type SecurityEvent } from '@flux/shared';
import type { AuthContext } from '../context.js';
import { findUserById } from '../accounts/repository.js';
import { after, msOf, pageRequest, toPage } from '../pagination.js';
import { toSecurityEvent } from './events.js';

/** The caller's own security events, newest first; platform admins see everyone's. */
export async function listSecurityEvents(
  ctx: AuthContext,
  userId: string,
  query: { cursor?: string; limit: number },
): Promise<Page<SecurityEvent>> {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw AppError.unauthorized();
  const page = pageRequest(query);
  let select = ctx.db.selectFrom('auth.security_events').selectAll();
  if (!user.is_admin) select = select.where('user_id', '=', userId);
  if (page.cursor) select = select.where(after('created_at', 'id', page.cursor, 'desc'));
  const rows = await select
    .orderBy(msOf('created_at'), 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, (row) => [row.created_at, row.id], toSecurityEvent);
}
