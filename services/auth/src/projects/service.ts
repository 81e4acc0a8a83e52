import { AppError, canWrite, type AccessTokenClaims, type Page, type Project, type ProjectsQuery, type Role } from '@flux/shared';
import { pageRequest, toPage } from '../pagination.js';
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

export async function list(ctx: AuthContext, user: AccessTokenClaims, query: ProjectsQuery): Promise<Page<Project>> {
  if (query.organizationId && !(await findOrganizationForMember(ctx.db, query.organizationId, user.sub)))
    throw AppError.notFound('Organization');
  const page = pageRequest(query);
  const rows = await repo.listProjectsForMember(ctx.db, user.sub, query.organizationId, page);
  return toPage(rows, page.limit, (row) => [row.created_at, row.id], toProject);
}

/** Non-members get 404, never 403: another organization's projects stay invisible. */
export async function get(ctx: AuthContext, user: AccessTokenClaims, id: string): Promise<Project> {
  const project = await repo.findProjectAccess(ctx.db, id, user.sub);
  if (!project?.role) throw AppError.notFound('Project');
  return toProject(project);
}
