import type { Caller } from '@flux/server-kit';
import {
  AppError,
  type AddMemberBody,
  type Invitation,
  type InviteResult,
  type ListQuery,
  type Organization,
  type Page,
  type PendingInvitation,
} from '@flux/shared';
import type { Transaction } from 'kysely';
import { normaliseEmail } from '../accounts/email.js';
import { findUserById } from '../accounts/repository.js';
import type { AppContext } from '../context.js';
import type { Database, InvitationRow } from '../db/database.js';
import { toOrganization } from '../organizations/mappers.js';
import { findOrganizationForMember, insertMember } from '../organizations/repository.js';
import { membership } from '../organizations/service.js';
import { pageRequest, toPage } from '../pagination.js';
import { authorize } from '../policies.js';
import { hashToken, randomToken } from '../tokens/opaque.js';
import { limitInvitations } from './limits.js';
import { invitationMail } from './mail.js';
import { toInvitation, toPendingInvitation } from './mappers.js';
import * as repo from './repository.js';

const invitationNotFound = () => AppError.notFound('Invitation');
const badLink = () =>
  new AppError('invalid_email_token', 400, 'This invitation link is invalid, expired, revoked or already used; ask for a new one.', {
    field: 'token',
  });

/** Mails a fresh link after the answer, so the answer's timing says nothing about the mail (or the address). */
function mailInvitation(ctx: AppContext, row: InvitationRow, token: string, inviterName: string, organizationName: string): void {
  const link = `${ctx.config.publicUrl.replace(/\/$/, '')}/invite?token=${encodeURIComponent(token)}`;
  ctx.background.run('invitation_mail', () =>
    ctx.mailer.send(
      invitationMail({
        to: row.email,
        inviterName,
        organizationName,
        role: row.role,
        link,
        ttlSeconds: ctx.config.invitationTtlSeconds,
      }),
    ),
  );
}

const freshLink = (ctx: AppContext) => {
  const token = randomToken();
  return { token, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + ctx.config.invitationTtlSeconds * 1000) };
};

/**
 * `POST /api/organizations/:id/members`: invites an email, whether or not it has an account (the
 * same answer, the same work and the same mail either way); re-inviting refreshes the invitation.
 * Nobody becomes a member until they accept.
 */
export async function invite(ctx: AppContext, caller: Caller, organizationId: string, body: AddMemberBody): Promise<InviteResult> {
  const { organization, actor } = await membership(ctx.db, organizationId, caller);
  authorize(actor, 'member:manage', null);
  authorize(actor, 'member:add', { role: body.role });
  const email = normaliseEmail(body.email);
  // Owners and admins see the member list with emails, so this tells them nothing new.
  if (await repo.isMemberByEmail(ctx.db, organizationId, email))
    throw AppError.conflict('already_member', 'Someone with this email is already a member of the organization.');
  await limitInvitations(ctx, caller.id);
  const { token, tokenHash, expiresAt } = freshLink(ctx);
  const row = await repo.upsertInvitation(ctx.db, { organizationId, email, role: body.role, invitedBy: caller.id, tokenHash, expiresAt });
  mailInvitation(ctx, row, token, caller.name, organization.name);
  return { status: 'invited' };
}

export async function listForOrganization(
  ctx: AppContext,
  caller: Caller,
  organizationId: string,
  query: ListQuery,
): Promise<Page<Invitation>> {
  const { actor } = await membership(ctx.db, organizationId, caller);
  authorize(actor, 'member:manage', null);
  const page = pageRequest(query);
  const rows = await repo.listOrganizationInvitations(ctx.db, organizationId, page);
  return toPage(rows, page.limit, (row) => [row.created_at, row.id], toInvitation);
}

/** A new link (the old one stops working) and a new expiry, mailed again. */
export async function resend(ctx: AppContext, caller: Caller, organizationId: string, invitationId: string): Promise<Invitation> {
  const { organization, actor } = await membership(ctx.db, organizationId, caller);
  authorize(actor, 'member:manage', null);
  const pending = await repo.findPendingInvitation(ctx.db, organizationId, invitationId);
  if (!pending) throw invitationNotFound();
  authorize(actor, 'member:add', { role: pending.role });
  await limitInvitations(ctx, caller.id);
  const { token, tokenHash, expiresAt } = freshLink(ctx);
  const row = await repo.renewInvitation(ctx.db, organizationId, invitationId, { tokenHash, expiresAt });
  if (!row) throw invitationNotFound();
  mailInvitation(ctx, row, token, caller.name, organization.name);
  return toInvitation({ ...row, invited_by_name: caller.name });
}

/** Revokes a pending invitation: its link stops working at once. */
export async function revoke(ctx: AppContext, caller: Caller, organizationId: string, invitationId: string): Promise<void> {
  const { actor } = await membership(ctx.db, organizationId, caller);
  authorize(actor, 'member:manage', null);
  if (!(await repo.deletePendingInvitation(ctx.db, organizationId, invitationId))) throw invitationNotFound();
}

/**
 * The caller's pending invitations, only once their email is verified: before that, anyone could
 * have signed up with the address, and even the names of the organizations are not theirs to see.
 */
export async function listMine(ctx: AppContext, caller: Caller): Promise<PendingInvitation[]> {
  const user = await findUserById(ctx.db, caller.id);
  if (!user?.email_verified_at) return [];
  return (await repo.listLiveInvitationsForEmail(ctx.db, user.email)).map(toPendingInvitation);
}

/**
 * Spends a live invitation (found and locked by `find`) on the caller: a membership with its role,
 * or, for someone already a member, no change of role. Answers the organization to land in.
 */
async function join(ctx: AppContext, caller: Caller, find: (trx: Transaction<Database>) => Promise<InvitationRow>): Promise<Organization> {
  const invitation = await ctx.db.transaction().execute(async (trx) => {
    const invitation = await find(trx);
    const joined = await insertMember(trx, invitation.organization_id, caller.id, invitation.role);
    await repo.markAccepted(trx, invitation.id, caller.id);
    if (joined)
      await ctx.outbox.add(trx, 'membership.changed', {
        organizationId: invitation.organization_id,
        userId: caller.id,
        role: invitation.role,
      });
    return invitation;
  });
  const organization = await findOrganizationForMember(ctx.db, invitation.organization_id, caller.id);
  if (!organization) throw AppError.notFound('Organization');
  return toOrganization(organization);
}

/**
 * `POST /api/invitations/accept {token}`: the link's token, spent once. Holding it proves access to
 * the invited mailbox, so any signed-in account may use it.
 */
export const acceptByToken = (ctx: AppContext, caller: Caller, token: string): Promise<Organization> =>
  join(ctx, caller, async (trx) => {
    const invitation = await repo.lockLiveInvitationByToken(trx, hashToken(token));
    if (!invitation) throw badLink();
    return invitation;
  });

/**
 * `POST /api/invitations/:id/accept`: without the link, only an account whose email is the invited
 * one AND verified may accept: signing up with someone else's address proves nothing.
 */
export const acceptById = (ctx: AppContext, caller: Caller, invitationId: string): Promise<Organization> =>
  join(ctx, caller, async (trx) => {
    const user = await findUserById(trx, caller.id);
    if (!user) throw AppError.unauthorized();
    const invitation = await repo.lockLiveInvitationForEmail(trx, invitationId, user.email);
    if (!invitation) throw invitationNotFound();
    if (!user.email_verified_at) throw AppError.forbidden('Verify your email address first, or open the link in the invitation mail.');
    return invitation;
  });
