import type { Caller } from '@flux/server-kit';
import { AppError, type Person, type UserSearchQuery } from '@flux/shared';
import type { AppContext } from '../context.js';
import { findPeopleSharingOrganization, findPersonSharingOrganization } from './repository.js';

/** The avatar's URL names its version: a new upload is a new URL, so browsers may keep each one for good. */
export const avatarUrl = (id: string, version: number | null) => (version === null ? null : `/api/users/${id}/avatar?v=${version}`);

const toPerson = (row: { id: string; name: string; avatarVersion: number | null }): Person => ({
  id: row.id,
  name: row.name,
  avatarUrl: avatarUrl(row.id, row.avatarVersion),
});

/**
 * `GET /api/users?q=`: people who share an organization with the caller, by name. Names only: an
 * email is seen in an organization's member list, and only by its owners and admins.
 */
export async function search(ctx: AppContext, caller: Caller, query: UserSearchQuery): Promise<Person[]> {
  const q = query.q?.trim();
  return (await findPeopleSharingOrganization(ctx.db, caller.id, { q: q || undefined, limit: query.limit })).map(toPerson);
}

/** `GET /api/users/:id`: the caller or someone who shares an organization with them; anyone else is 404. */
export async function get(ctx: AppContext, caller: Caller, id: string): Promise<Person> {
  const person = await findPersonSharingOrganization(ctx.db, caller.id, id);
  if (!person) throw AppError.notFound('User');
  return toPerson(person);
}
