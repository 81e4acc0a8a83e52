import { AppError, canWrite, type AccessTokenClaims, type Project, type Role } from '@flux/shared';
import type { AuthContext } from '../context.js';
import { findOrganizationForMember } from '../organizations/repository.js';
import { toProject } from './mappers.js';
import * as repo from './repository.js';

export async function create(ctx: AuthContext, user: AccessTokenClaims, organizationId: string, name: string): Promise<Project> {
  const organization = await findOrganizationForMember(ctx.db, organizationId, user.sub);
  if (!organization) throw AppError.notFound('Organization');
  if (!canWrite(organization.role as Role)) throw AppError.forbidden('Guests cannot create projects.');
  const trimmed = name.trim();
  if (!trimmed) throw AppError.validation('name', 'must not be blank');
  return toProject(await repo.insertProject(ctx.db, { organizationId, name: trimmed, createdBy: user.sub }));
}

export async function list(ctx: AuthContext, user: AccessTokenClaims, organizationId?: string): Promise<Project[]> {
  if (organizationId && !(await findOrganizationForMember(ctx.db, organizationId, user.sub))) throw AppError.notFound('Organization');
  return (await repo.listProjectsForMember(ctx.db, user.sub, organizationId)).map(toProject);
}

/** Non-members get 404, never 403: another organization's projects stay invisible. */
export async function get(ctx: AuthContext, user: AccessTokenClaims, id: string): Promise<Project> {
  const project = await repo.findProjectAccess(ctx.db, id, user.sub);
  if (!project?.role) throw AppError.notFound('Project');
  return toProject(project);
}
