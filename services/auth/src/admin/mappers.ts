import type { AdminOrganization, AdminUser } from '@flux/shared';
import type { AdminUserRow, listOrganizations } from './repository.js';

type OrganizationRow = Awaited<ReturnType<typeof listOrganizations>>[number];

export const toAdminUser = (row: AdminUserRow): AdminUser => ({
  id: row.id,
  email: row.email,
  name: row.name,
  isAdmin: row.is_admin,
  emailVerified: row.email_verified_at !== null,
  disabledAt: row.disabled_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
  activeSessions: Number(row.active_sessions ?? 0),
  organizations: Number(row.organizations ?? 0),
});

export const toAdminOrganization = (row: OrganizationRow, owners: AdminOrganization['owners']): AdminOrganization => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  createdAt: row.created_at.toISOString(),
  members: Number(row.members ?? 0),
  projects: Number(row.projects ?? 0),
  owners,
});
