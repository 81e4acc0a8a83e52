import type { DbOrTrx } from '@flux/server-kit';
import type { Role } from '@flux/shared';
import type { Database } from '../db/database.js';
import { after, msOf } from '../db/keyset.js';
import type { PageRequest } from '../pagination.js';

/**
 * Creates the pending invitation of an email, or refreshes it (role, inviter, a new token, a new
 * expiry): the previous link stops working.
 */
export const upsertInvitation = (
  db: DbOrTrx<Database>,
  values: { organizationId: string; email: string; role: Role; invitedBy: string; tokenHash: string; expiresAt: Date },
) =>
  db
    .insertInto('auth.invitations')
    .values({
      organization_id: values.organizationId,
      email: values.email,
      role: values.role,
      invited_by: values.invitedBy,
      token_hash: values.tokenHash,
      expires_at: values.expiresAt,
    })
    .onConflict((oc) =>
      oc.columns(['organization_id', 'email']).where('accepted_at', 'is', null).doUpdateSet({
        role: values.role,
        invited_by: values.invitedBy,
        token_hash: values.tokenHash,
        expires_at: values.expiresAt,
        sent_at: new Date(),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();

/** A new token and expiry for a pending invitation of this organization (resend); undefined when there is none. */
export const renewInvitation = (
  db: DbOrTrx<Database>,
  organizationId: string,
  id: string,
  values: { tokenHash: string; expiresAt: Date },
) =>
  db
    .updateTable('auth.invitations')
    .set({ token_hash: values.tokenHash, expires_at: values.expiresAt, sent_at: new Date() })
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .where('accepted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();

export const findPendingInvitation = (db: DbOrTrx<Database>, organizationId: string, id: string) =>
  db
    .selectFrom('auth.invitations')
    .selectAll()
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .where('accepted_at', 'is', null)
    .executeTakeFirst();

/** The live invitation of a link's token, locked until the transaction ends (so a token is spent once). */
export const lockLiveInvitationByToken = (db: DbOrTrx<Database>, tokenHash: string) =>
  db
    .selectFrom('auth.invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', new Date())
    .forUpdate()
    .executeTakeFirst();

/** The live invitation with this id addressed to this email, locked until the transaction ends. */
export const lockLiveInvitationForEmail = (db: DbOrTrx<Database>, id: string, email: string) =>
  db
    .selectFrom('auth.invitations')
    .selectAll()
    .where('id', '=', id)
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', new Date())
    .forUpdate()
    .executeTakeFirst();

export const markAccepted = (db: DbOrTrx<Database>, id: string, userId: string) =>
  db.updateTable('auth.invitations').set({ accepted_at: new Date(), accepted_by: userId }).where('id', '=', id).execute();

/** Revokes a pending invitation; false when there was none. */
export const deletePendingInvitation = async (db: DbOrTrx<Database>, organizationId: string, id: string): Promise<boolean> => {
  const result = await db
    .deleteFrom('auth.invitations')
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .where('accepted_at', 'is', null)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
};

/** An organization's pending invitations (expired ones too, so they can be resent), oldest first. */
export const listOrganizationInvitations = (db: DbOrTrx<Database>, organizationId: string, page: PageRequest) => {
  let query = db
    .selectFrom('auth.invitations as i')
    .leftJoin('auth.users as inviter', 'inviter.id', 'i.invited_by')
    .selectAll('i')
    .select('inviter.name as invited_by_name')
    .where('i.organization_id', '=', organizationId)
    .where('i.accepted_at', 'is', null);
  if (page.cursor) query = query.where(after('i.created_at', 'i.id', page.cursor));
  return query
    .orderBy(msOf('i.created_at'))
    .orderBy('i.id')
    .limit(page.limit + 1)
    .execute();
};

/** The live invitations addressed to an email, with their organization, newest first. */
export const listLiveInvitationsForEmail = (db: DbOrTrx<Database>, email: string) =>
  db
    .selectFrom('auth.invitations as i')
    .innerJoin('auth.organizations as o', 'o.id', 'i.organization_id')
    .leftJoin('auth.users as inviter', 'inviter.id', 'i.invited_by')
    .selectAll('i')
    .select(['o.name as organization_name', 'inviter.name as invited_by_name'])
    .where('i.email', '=', email)
    .where('i.accepted_at', 'is', null)
    .where('i.expires_at', '>', new Date())
    .orderBy('i.created_at', 'desc')
    .limit(100)
    .execute();

/** Whether the account with this email is already a member of the organization. */
export const isMemberByEmail = async (db: DbOrTrx<Database>, organizationId: string, email: string): Promise<boolean> =>
  !!(await db
    .selectFrom('auth.organization_members as m')
    .innerJoin('auth.users as u', 'u.id', 'm.user_id')
    .select('m.user_id')
    .where('m.organization_id', '=', organizationId)
    .where('u.email', '=', email)
    .executeTakeFirst());

/** Invitations nobody accepted in time. */
export const deleteExpiredInvitations = (db: DbOrTrx<Database>, now: Date) =>
  db.deleteFrom('auth.invitations').where('accepted_at', 'is', null).where('expires_at', '<', now).executeTakeFirst();
