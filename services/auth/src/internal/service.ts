import { AppError, type InternalMail, type InternalUser, type ProjectAccess, type ProjectMembers } from '@flux/shared';
import { toInternalUser } from '../accounts/mappers.js';
import { findUserById, findUsersByIds, searchUsersByName } from '../accounts/repository.js';
import type { AppContext } from '../context.js';
import { findProject, findProjectAccess, listProjectMembers } from '../projects/repository.js';
import { idsSharingOrganization } from '../users/repository.js';

export async function user(ctx: AppContext, id: string): Promise<InternalUser> {
  const row = await findUserById(ctx.db, id);
  if (!row) throw AppError.notFound('User');
  return toInternalUser(row);
}

export async function users(ctx: AppContext, query: { ids?: string[]; name?: string }): Promise<InternalUser[]> {
  if (query.ids) return (await findUsersByIds(ctx.db, query.ids)).map(toInternalUser);
  if (query.name) return (await searchUsersByName(ctx.db, query.name, 50)).map(toInternalUser);
  return [];
}

export async function projectAccess(ctx: AppContext, projectId: string, userId: string): Promise<ProjectAccess> {
  const row = await findProjectAccess(ctx.db, projectId, userId);
  if (!row) throw AppError.notFound('Project');
  return { projectId: row.id, organizationId: row.organization_id, userId, role: row.role ?? null };
}

export async function projectMembers(ctx: AppContext, projectId: string): Promise<ProjectMembers> {
  if (!(await findProject(ctx.db, projectId))) throw AppError.notFound('Project');
  const members = await listProjectMembers(ctx.db, projectId);
  return { projectId, members: members.map((m) => ({ userId: m.user_id, role: m.role })) };
}

/** The subset of `otherIds` that share at least one organization with `userId` (consent for conversations). */
export async function sharingOrganization(ctx: AppContext, userId: string, otherIds: readonly string[]): Promise<string[]> {
  return idsSharingOrganization(ctx.db, userId, [...new Set(otherIds)]);
}

/** A mail to a user's own address (messaging's digest); none to an account being deleted or erased. */
export async function mailUser(ctx: AppContext, userId: string, mail: InternalMail): Promise<void> {
  const user = await findUserById(ctx.db, userId);
  if (!user || user.deletion_requested_at || user.deleted_at) throw AppError.notFound('User');
  await ctx.mailer.send({ to: user.email, subject: mail.subject, text: mail.text });
}
