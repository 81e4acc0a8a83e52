import type { Invitation, PendingInvitation } from '@flux/shared';
import type { InvitationRow } from '../db/database.js';

export const toInvitation = (row: InvitationRow & { invited_by_name: string | null }): Invitation => ({
  id: row.id,
  organizationId: row.organization_id,
  email: row.email,
  role: row.role,
  invitedBy: row.invited_by_name,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});

export const toPendingInvitation = (
  row: InvitationRow & { organization_name: string; invited_by_name: string | null },
): PendingInvitation => ({
  id: row.id,
  organization: { id: row.organization_id, name: row.organization_name },
  role: row.role,
  invitedBy: row.invited_by_name,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});
