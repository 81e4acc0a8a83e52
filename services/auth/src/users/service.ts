import type { Caller } from '@flux/server-kit';
import { AppError, type UserSearchQuery, type UserSummary } from '@flux/shared';
import type { AppContext } from '../context.js';
import { findPeopleSharingOrganization, findPersonSharingOrganization } from './repository.js';

/**
 * `GET /api/users?q=`: people who share an organization with the caller, by name. Names only: an
 * email is seen in an organization's member list, and only by its owners and admins.
 */
export async function search(ctx: AppContext, caller: Caller, query: UserSearchQuery): Promise<UserSummary[]> {
  const q = query.q?.trim();
  return findPeopleSharingOrganization(ctx.db, caller.id, { q: q || undefined, limit: query.limit });
}

/** `GET /api/users/:id`: someone who shares an organization with the caller; anyone else is 404. */
export async function get(ctx: AppContext, caller: Caller, id: string): Promise<UserSummary> {
  const person = await findPersonSharingOrganization(ctx.db, caller.id, id);
  if (!person) throw AppError.notFound('User');
  return person;
}
