import type { Invitation, Member, Organization, Role } from '@flux/shared';
import type { OrganizationRow } from '../db/database.js';

export const toOrganization = (row: OrganizationRow & { role: string }): Organization => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  role: row.role as Role,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export const toMember = (row: { user_id: string; role: string; created_at: Date; email: string; name: string }): Member => ({
  userId: row.user_id,
  email: row.email,
  name: row.name,
  role: row.role as Role,
  joinedAt: row.created_at.toISOString(),
});

export const toInvitation = (row: { id: string; email: string; role: string; created_at: Date; expires_at: Date }): Invitation => ({
  id: row.id,
  email: row.email,
  role: row.role as Role,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});
