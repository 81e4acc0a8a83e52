import type { Member, Organization, Role } from '@flux/shared';
import type { OrganizationRow } from '../db/database.js';

export const toOrganization = (row: OrganizationRow & { role: Role }): Organization => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  role: row.role,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Members' emails go only to those who manage members (`member:read_email`); others see names. */
export const toMember = (
  row: { user_id: string; role: Role; created_at: Date; email: string; name: string },
  withEmail: boolean,
): Member => ({
  userId: row.user_id,
  ...(withEmail && { email: row.email }),
  name: row.name,
  role: row.role,
  joinedAt: row.created_at.toISOString(),
});
