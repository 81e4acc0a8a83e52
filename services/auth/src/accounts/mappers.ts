import type { InternalUser, PublicUser } from '@flux/shared';
import type { UserRow } from '../db/database.js';

export const toPublicUser = (row: UserRow): PublicUser => ({
  id: row.id,
  email: row.email,
  name: row.name,
  emailVerified: row.email_verified_at !== null,
  isAdmin: row.is_admin,
  createdAt: row.created_at.toISOString(),
});

export const toInternalUser = (row: Pick<UserRow, 'id' | 'email' | 'name'>): InternalUser => ({
  id: row.id,
  email: row.email,
  name: row.name,
});
