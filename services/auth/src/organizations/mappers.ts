import type { Invitation, Member, Organization, Role } from '@flux/shared';
import type { OrganizationRow } from '../db/database.js';

export const toOrganization = (row: OrganizationRow & { role: Role }): Organization => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  role: row.role,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export const toMember = (row: { user_id: string; role: Role; created_at: Date; email: string; name: string }): Member => ({
  userId: row.user_id,
  email: row.email,
  name: row.name,
  role: row.role,
  joinedAt: row.created_at.toISOString(),
});

export const toInvitation = (row: { id: string; email: string; role: Role; created_at: Date; expires_at: Date }): Invitation => ({
  id: row.id,
  email: row.email,
  role: row.role,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});
