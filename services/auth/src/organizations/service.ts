import type { DbOrTrx } from '@flux/server-kit';
import type { Database } from '../db/database.js';
import type { Caller } from '@flux/server-kit';
import { isUniqueViolation } from '@flux/server-kit';
import type { CreateOrganization, ListQuery, Member, Organization, Page, Role, UpdateOrganization } from '@flux/shared';
import { AppError } from '@flux/shared';
import type { AppContext } from '../context.js';
import { pageRequest, toPage } from '../pagination.js';
import { type Actor, authorize, can } from '../policies.js';
import { type RequestMeta, recordSecurityEvent } from '../security/events.js';
import { limitPerHour } from '../security/hourly-limits.js';
import { toMember, toOrganization } from './mappers.js';
import * as repo from './repository.js';
import { slugify, withSuffix } from './slug.js';

const notFound = () => AppError.notFound('Organization');
const slugTaken = () => AppError.conflict('slug_taken', 'This slug is already used by another organization.');

/** The organization with the caller's role in it; non-members get 404 so other organizations stay invisible. */
export async function membership(db: DbOrTrx<Database>, organizationId: string, caller: Caller) {
  const organization = await repo.findOrganizationForMember(db, organizationId, caller.id);
  if (!organization) throw notFound();
  const actor: Actor = { id: caller.id, role: organization.role };
  return { organization, actor };
}

export async function create(ctx: AppContext, caller: Caller, body: CreateOrganization): Promise<Organization> {
  const name = body.name.trim();
  if (!name) throw AppError.validation('name', 'must not be blank');
  await limitPerHour(ctx, 'organizations', caller.id);
  const organization = await ctx.db.transaction().execute(async (trx) => {
    const base = body.slug ?? slugify(name);
    // An explicit slug must be free; a generated one gets a suffix until it is.
    for (let attempt = 0; attempt < 8; attempt++) {
      const slug = attempt === 0 ? base : withSuffix(base.slice(0, 56));
      const row = await repo.insertOrganization(trx, { name, slug, createdBy: caller.id });
      if (row) {
        await repo.insertMember(trx, row.id, caller.id, 'owner');
        await ctx.outbox.add(trx, 'membership.changed', { organizationId: row.id, userId: caller.id, role: 'owner' });
        return { ...row, role: 'owner' as const };
      }
      if (body.slug) throw slugTaken();
    }
    throw new Error('could not find a free slug');
  });
  return toOrganization(organization);
}

export async function list(ctx: AppContext, caller: Caller, query: ListQuery): Promise<Page<Organization>> {
  const page = pageRequest(query);
  const rows = await repo.listOrganizationsForMember(ctx.db, caller.id, page);
  return toPage(rows, page.limit, (row) => [row.created_at, row.id], toOrganization);
}

export async function get(ctx: AppContext, caller: Caller, id: string): Promise<Organization> {
  const { organization, actor } = await membership(ctx.db, id, caller);
  authorize(actor, 'organization:read', null);
  return toOrganization(organization);
}

export async function update(ctx: AppContext, caller: Caller, id: string, body: UpdateOrganization): Promise<Organization> {
  const { organization: current, actor } = await membership(ctx.db, id, caller);
  authorize(actor, 'organization:update', null);
  const name = body.name?.trim();
  if (body.name !== undefined && !name) throw AppError.validation('name', 'must not be blank');
  if (body.slug && body.slug !== current.slug && (await repo.slugExists(ctx.db, body.slug))) throw slugTaken();
  try {
    const row = await repo.updateOrganization(ctx.db, id, { ...(name && { name }), ...(body.slug && { slug: body.slug }) });
    if (!row) throw notFound();
    return toOrganization({ ...row, role: current.role });
  } catch (err) {
    // Another organization took the slug between the check and the update.
    if (isUniqueViolation(err)) throw slugTaken();
    throw err;
  }
}

export async function listMembers(ctx: AppContext, caller: Caller, id: string, query: ListQuery): Promise<Page<Member>> {
  const { actor } = await membership(ctx.db, id, caller);
  authorize(actor, 'member:list', null);
  const page = pageRequest(query);
  const rows = await repo.listMembers(ctx.db, id, page);
  const withEmail = can(actor, 'member:read_email', null);
  return toPage(
    rows,
    page.limit,
    (row) => [row.created_at, row.user_id],
    (row) => toMember(row, withEmail),
  );
}

/**
 * Deletes an organization with its projects, members and invitations (owners, typing its name
 * again). Every member gets `membership.changed` with `role: null` in the same transaction:
 * messaging drops them from its project conversations, collab closes their document sockets, and
 * every later request about its projects answers 404.
 */
export async function remove(ctx: AppContext, caller: Caller, id: string, confirmName: string, meta: RequestMeta): Promise<void> {
  const { organization, actor } = await membership(ctx.db, id, caller);
  authorize(actor, 'organization:delete', null);
  if (confirmName.trim() !== organization.name)
    throw new AppError('confirmation_mismatch', 400, 'Type the name of the organization exactly to delete it.', { field: 'confirmName' });
  await ctx.db.transaction().execute(async (trx) => {
    const members = await repo.deleteOrganization(trx, id);
    for (const userId of members) await ctx.outbox.add(trx, 'membership.changed', { organizationId: id, userId, role: null });
    await recordSecurityEvent(ctx, trx, {
      type: 'organization_deleted',
      userId: caller.id,
      meta,
      metadata: { organizationId: id, name: organization.name, slug: organization.slug, members: members.length },
    });
  });
  ctx.log.info({ organizationId: id }, 'organization deleted');
}

/** A member row read back after a write (by an owner or admin, who see emails); it exists, since the write just succeeded. */
async function memberAfterWrite(db: DbOrTrx<Database>, organizationId: string, userId: string): Promise<Member> {
  const member = await repo.findMember(db, organizationId, userId);
  if (!member) throw AppError.notFound('Member');
  return toMember(member, true);
}

/** Changes a role; owners alone touch owner roles, and the last owner cannot be demoted. */
export async function setRole(ctx: AppContext, caller: Caller, id: string, userId: string, role: Role): Promise<Member> {
  const { actor } = await membership(ctx.db, id, caller);
  authorize(actor, 'member:manage', null);
  await ctx.db.transaction().execute(async (trx) => {
    const owners = await repo.lockOwners(trx, id);
    const target = await repo.findMembership(trx, id, userId);
    if (!target) throw AppError.notFound('Member');
    authorize(actor, 'member:change_role', { from: target.role, to: role });
    if (target.role === 'owner' && role !== 'owner' && owners.length <= 1) {
      throw AppError.conflict('last_owner', 'The last owner cannot be demoted; make someone else an owner first.');
    }
    await repo.updateMemberRole(trx, id, userId, role);
    await ctx.outbox.add(trx, 'membership.changed', { organizationId: id, userId, role });
  });
  return memberAfterWrite(ctx.db, id, userId);
}

/** Removes a member (owners/admins), or lets a member leave; the last owner can do neither. */
export async function removeMember(ctx: AppContext, caller: Caller, id: string, userId: string): Promise<void> {
  const { actor } = await membership(ctx.db, id, caller);
  authorize(actor, 'member:remove', { userId });
  await ctx.db.transaction().execute(async (trx) => {
    const owners = await repo.lockOwners(trx, id);
    const target = await repo.findMembership(trx, id, userId);
    if (!target) throw AppError.notFound('Member');
    if (target.role === 'owner') {
      authorize(actor, 'member:remove_owner', { userId });
      if (owners.length <= 1) throw AppError.conflict('last_owner', 'The last owner cannot leave; make someone else an owner first.');
    }
    await repo.deleteMember(trx, id, userId);
    await ctx.outbox.add(trx, 'membership.changed', { organizationId: id, userId, role: null });
  });
}
