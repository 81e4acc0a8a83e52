import type { Caller } from '@flux/server-kit';
import { AppError, type Page, type Project, type ProjectsQuery, type UpdateProject } from '@flux/shared';
import type { AppContext } from '../context.js';
import { findOrganizationForMember } from '../organizations/repository.js';
import { pageRequest, toPage } from '../pagination.js';
import { authorize } from '../policies.js';
import { limitPerHour } from '../security/hourly-limits.js';
import { toProject } from './mappers.js';
import * as repo from './repository.js';

export async function create(ctx: AppContext, caller: Caller, organizationId: string, name: string): Promise<Project> {
  const organization = await findOrganizationForMember(ctx.db, organizationId, caller.id);
  authorize({ id: caller.id, role: organization?.role ?? null }, 'project:create', null);
  const trimmed = name.trim();
  if (!trimmed) throw AppError.validation('name', 'must not be blank');
  await limitPerHour(ctx, 'projects', caller.id);
  return toProject(await repo.insertProject(ctx.db, { organizationId, name: trimmed, createdBy: caller.id }));
}

export async function list(ctx: AppContext, caller: Caller, query: ProjectsQuery): Promise<Page<Project>> {
  if (query.organizationId) {
    const organization = await findOrganizationForMember(ctx.db, query.organizationId, caller.id);
    authorize({ id: caller.id, role: organization?.role ?? null }, 'organization:read', null);
  }
  const page = pageRequest(query);
  const rows = await repo.listProjectsForMember(ctx.db, caller.id, query.organizationId, page);
  return toPage(rows, page.limit, (row) => [row.created_at, row.id], toProject);
}

/**
 * Renames, archives (`archived: true`) or restores a project (owners and admins). An archived
 * project keeps its documents and conversations; the web lists it apart, out of the sidebar.
 */
export async function update(ctx: AppContext, caller: Caller, id: string, body: UpdateProject): Promise<Project> {
  const project = await repo.findProjectAccess(ctx.db, id, caller.id);
  authorize({ id: caller.id, role: project?.role ?? null }, 'project:update', null);
  const name = body.name?.trim();
  if (body.name !== undefined && !name) throw AppError.validation('name', 'must not be blank');
  const archivedAt = body.archived === undefined ? undefined : body.archived ? (project?.archived_at ?? new Date()) : null;
  const row = await repo.updateProject(ctx.db, id, { name, archivedAt });
  if (!row) throw AppError.notFound('Project');
  ctx.log.info({ projectId: id, archived: row.archived_at !== null }, 'project updated');
  return toProject(row);
}

/** Non-members get 404, never 403: another organization's projects stay invisible. */
export async function get(ctx: AppContext, caller: Caller, id: string): Promise<Project> {
  const project = await repo.findProjectAccess(ctx.db, id, caller.id);
  authorize({ id: caller.id, role: project?.role ?? null }, 'project:read', null);
  if (!project) throw AppError.notFound('Project');
  return toProject(project);
}
