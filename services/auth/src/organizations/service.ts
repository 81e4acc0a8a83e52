import {
  AppError,
  canManageMembers,
  type AddMemberBody,
  type AddMemberResult,
  type CreateOrganization,
  type Member,
  type Organization,
  type Role,
  type UpdateOrganization,
} from '@flux/shared';
import type { AccessTokenClaims, ListQuery, Page } from '@flux/shared';
import { pageRequest, toPage } from '../pagination.js';
import { normaliseEmail } from '../accounts/email.js';
import { findUserByEmail, type Db } from '../accounts/repository.js';
import type { AuthContext } from '../context.js';
import { toInvitation, toMember, toOrganization } from './mappers.js';
import * as repo from './repository.js';
import { slugify, withSuffix } from './slug.js';

const INVITATION_TTL_MS = 14 * 86_400_000;
const notFound = () => AppError.notFound('Organization');

/** The caller's membership; non-members get 404 so other organizations stay invisible. */
async function membership(db: Db, organizationId: string, userId: string) {
  const organization = await repo.findOrganizationForMember(db, organizationId, userId);
  if (!organization) throw notFound();
  return organization;
}

async function requireManager(db: Db, organizationId: string, userId: string) {
  const organization = await membership(db, organizationId, userId);
  if (!canManageMembers(organization.role as Role)) throw AppError.forbidden('Only owners and admins can manage this organization.');
  return organization;
}

export async function create(ctx: AuthContext, user: AccessTokenClaims, body: CreateOrganization): Promise<Organization> {
  const name = body.name.trim();
  if (!name) throw AppError.validation('name', 'must not be blank');
  const organization = await ctx.db.transaction().execute(async (trx) => {
    const base = body.slug ?? slugify(name);
    // An explicit slug must be free; a generated one gets a suffix until it is.
    for (let attempt = 0; attempt < 8; attempt++) {
      const slug = attempt === 0 ? base : withSuffix(base.slice(0, 56));
      const row = await repo.insertOrganization(trx, { name, slug, createdBy: user.sub });
      if (row) {
        await repo.insertMember(trx, row.id, user.sub, 'owner');
        return { ...row, role: 'owner' };
      }
      if (body.slug) throw AppError.conflict('slug_taken', 'This slug is already used by another organization.');
    }
    throw new Error('could not find a free slug');
  });
  await ctx.events.publish('membership.changed', { organizationId: organization.id, userId: user.sub, role: 'owner' });
  return toOrganization(organization);
}

export async function list(ctx: AuthContext, user: AccessTokenClaims, query: ListQuery): Promise<Page<Organization>> {
  const page = pageRequest(query);
  const rows = await repo.listOrganizationsForMember(ctx.db, user.sub, page);
  return toPage(rows, page.limit, (row) => [row.created_at, row.id], toOrganization);
}

export async function get(ctx: AuthContext, user: AccessTokenClaims, id: string): Promise<Organization> {
  return toOrganization(await membership(ctx.db, id, user.sub));
}

export async function update(ctx: AuthContext, user: AccessTokenClaims, id: string, body: UpdateOrganization): Promise<Organization> {
  const current = await requireManager(ctx.db, id, user.sub);
  const name = body.name?.trim();
  if (body.name !== undefined && !name) throw AppError.validation('name', 'must not be blank');
  if (body.slug && body.slug !== current.slug && (await repo.slugExists(ctx.db, body.slug))) {
    throw AppError.conflict('slug_taken', 'This slug is already used by another organization.');
  }
  try {
    const row = await repo.updateOrganization(ctx.db, id, { ...(name && { name }), ...(body.slug && { slug: body.slug }) });
    if (!row) throw notFound();
    return toOrganization({ ...row, role: current.role });
  } catch (err) {
    if ((err as { code?: string }).code === '23505')
      throw AppError.conflict('slug_taken', 'This slug is already used by another organization.');
    throw err;
  }
}

export async function listMembers(ctx: AuthContext, user: AccessTokenClaims, id: string, query: ListQuery): Promise<Page<Member>> {
  await membership(ctx.db, id, user.sub);
  const page = pageRequest(query);
  const rows = await repo.listMembers(ctx.db, id, page);
  return toPage(rows, page.limit, (row) => [row.created_at, row.user_id], toMember);
}

/** Adds an existing account as a member now, or invites an unknown email (accepted at signup). */
export async function addMember(ctx: AuthContext, user: AccessTokenClaims, id: string, body: AddMemberBody): Promise<AddMemberResult> {
  const actor = await requireManager(ctx.db, id, user.sub);
  if (body.role === 'owner' && actor.role !== 'owner') throw AppError.forbidden('Only owners can add owners.');
  const email = normaliseEmail(body.email);
  const target = await findUserByEmail(ctx.db, email);
  if (!target) {
    const invitation = await repo.upsertInvitation(ctx.db, {
      organizationId: id,
      email,
      role: body.role,
      invitedBy: user.sub,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    ctx.background.run('invitation_mail', () =>
      ctx.mailer.send({
        to: email,
        subject: `${user.name || 'A teammate'} invited you to ${actor.name} on FluxStudio`,
        text: `${user.name || 'A teammate'} (${user.email}) invited you to join ${actor.name} on FluxStudio as ${body.role}.\n\nCreate your account with this email address to join:\n${ctx.config.publicUrl.replace(/\/$/, '')}/signup?email=${encodeURIComponent(email)}\n\nThe invitation is valid for 14 days.\n`,
      }),
    );
    return { status: 'invited', invitation: toInvitation(invitation) };
  }
  const inserted = await repo.insertMember(ctx.db, id, target.id, body.role);
  if (!inserted) throw AppError.conflict('already_member', 'This user is already a member of the organization.');
  await ctx.events.publish('membership.changed', { organizationId: id, userId: target.id, role: body.role });
  const member = await repo.findMember(ctx.db, id, target.id);
  return { status: 'added', member: toMember(member!) };
}

/** Changes a role; owners alone touch owner roles, and the last owner cannot be demoted. */
export async function setRole(ctx: AuthContext, user: AccessTokenClaims, id: string, userId: string, role: Role): Promise<Member> {
  const actor = await requireManager(ctx.db, id, user.sub);
  await ctx.db.transaction().execute(async (trx) => {
    const owners = await repo.lockOwners(trx, id);
    const target = await repo.findMembership(trx, id, userId);
    if (!target) throw AppError.notFound('Member');
    if ((target.role === 'owner' || role === 'owner') && actor.role !== 'owner')
      throw AppError.forbidden('Only owners can grant or change the owner role.');
    if (target.role === 'owner' && role !== 'owner' && owners.length <= 1) {
      throw AppError.conflict('last_owner', 'The last owner cannot be demoted; make someone else an owner first.');
    }
    await repo.updateMemberRole(trx, id, userId, role);
  });
  await ctx.events.publish('membership.changed', { organizationId: id, userId, role });
  const member = await repo.findMember(ctx.db, id, userId);
  return toMember(member!);
}

/** Removes a member (owners/admins), or lets a member leave; the last owner can do neither. */
export async function removeMember(ctx: AuthContext, user: AccessTokenClaims, id: string, userId: string): Promise<void> {
  const actor = await membership(ctx.db, id, user.sub);
  const leaving = userId === user.sub;
  if (!leaving && !canManageMembers(actor.role as Role)) throw AppError.forbidden('Only owners and admins can remove members.');
  await ctx.db.transaction().execute(async (trx) => {
    const owners = await repo.lockOwners(trx, id);
    const target = await repo.findMembership(trx, id, userId);
    if (!target) throw AppError.notFound('Member');
    if (target.role === 'owner' && !leaving && actor.role !== 'owner') throw AppError.forbidden('Only owners can remove an owner.');
    if (target.role === 'owner' && owners.length <= 1) {
      throw AppError.conflict('last_owner', 'The last owner cannot leave; make someone else an owner first.');
    }
    await repo.deleteMember(trx, id, userId);
  });
  await ctx.events.publish('membership.changed', { organizationId: id, userId, role: null });
}
