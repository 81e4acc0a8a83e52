import type { DbOrTrx } from '@flux/server-kit';
import type { Database } from '../db/database.js';
import type { Role } from '@flux/shared';
import { after, msOf } from '../db/keyset.js';
import type { PageRequest } from '../pagination.js';

export const insertOrganization = (db: DbOrTrx<Database>, values: { name: string; slug: string; createdBy: string }) =>
  db
    .insertInto('auth.organizations')
    .values({ name: values.name, slug: values.slug, created_by: values.createdBy })
    .onConflict((oc) => oc.column('slug').doNothing())
    .returningAll()
    .executeTakeFirst();

export const slugExists = async (db: DbOrTrx<Database>, slug: string): Promise<boolean> =>
  !!(await db.selectFrom('auth.organizations').select('id').where('slug', '=', slug).executeTakeFirst());

export const updateOrganization = (db: DbOrTrx<Database>, id: string, values: { name?: string; slug?: string }) =>
  db
    .updateTable('auth.organizations')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();

/** The organization with the caller's role, or undefined when it does not exist or they are not a member. */
export const findOrganizationForMember = (db: DbOrTrx<Database>, id: string, userId: string) =>
  db
    .selectFrom('auth.organizations as o')
    .innerJoin('auth.organization_members as m', 'm.organization_id', 'o.id')
    .selectAll('o')
    .select('m.role')
    .where('o.id', '=', id)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();

export const listOrganizationsForMember = (db: DbOrTrx<Database>, userId: string, page: PageRequest) => {
  let query = db
    .selectFrom('auth.organizations as o')
    .innerJoin('auth.organization_members as m', 'm.organization_id', 'o.id')
    .selectAll('o')
    .select('m.role')
    .where('m.user_id', '=', userId);
  if (page.cursor) query = query.where(after('o.created_at', 'o.id', page.cursor));
  return query
    .orderBy(msOf('o.created_at'))
    .orderBy('o.id')
    .limit(page.limit + 1)
    .execute();
};

export const findMembership = (db: DbOrTrx<Database>, organizationId: string, userId: string) =>
  db
    .selectFrom('auth.organization_members')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();

/** Locks the organization's member rows so "last owner" checks cannot race each other. */
export const lockOwners = async (db: DbOrTrx<Database>, organizationId: string): Promise<string[]> =>
  (
    await db
      .selectFrom('auth.organization_members')
      .select('user_id')
      .where('organization_id', '=', organizationId)
      .where('role', '=', 'owner')
      .forUpdate()
      .execute()
  ).map((row) => row.user_id);

/**
 * Deletes the organization (its members, invitations and projects cascade) and returns who were
 * members. Locking the row first makes a concurrent invitation accept or role change wait and then find nothing.
 */
export async function deleteOrganization(db: DbOrTrx<Database>, organizationId: string): Promise<string[]> {
  await db.selectFrom('auth.organizations').select('id').where('id', '=', organizationId).forUpdate().execute();
  const members = await db
    .selectFrom('auth.organization_members')
    .select('user_id')
    .where('organization_id', '=', organizationId)
    .execute();
  await db.deleteFrom('auth.organizations').where('id', '=', organizationId).execute();
  return members.map((row) => row.user_id);
}

export const insertMember = (db: DbOrTrx<Database>, organizationId: string, userId: string, role: Role) =>
  db
    .insertInto('auth.organization_members')
    .values({ organization_id: organizationId, user_id: userId, role })
    .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doNothing())
    .returningAll()
    .executeTakeFirst();

export const updateMemberRole = (db: DbOrTrx<Database>, organizationId: string, userId: string, role: Role) =>
  db
    .updateTable('auth.organization_members')
    .set({ role, updated_at: new Date() })
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();

export const deleteMember = (db: DbOrTrx<Database>, organizationId: string, userId: string) =>
  db.deleteFrom('auth.organization_members').where('organization_id', '=', organizationId).where('user_id', '=', userId).executeTakeFirst();

export const listMembers = (db: DbOrTrx<Database>, organizationId: string, page: PageRequest) => {
  let query = db
    .selectFrom('auth.organization_members as m')
    .innerJoin('auth.users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'm.role', 'm.created_at', 'u.email', 'u.name'])
    .where('m.organization_id', '=', organizationId);
  if (page.cursor) query = query.where(after('m.created_at', 'm.user_id', page.cursor));
  return query
    .orderBy(msOf('m.created_at'))
    .orderBy('m.user_id')
    .limit(page.limit + 1)
    .execute();
};

export const findMember = (db: DbOrTrx<Database>, organizationId: string, userId: string) =>
  db
    .selectFrom('auth.organization_members as m')
    .innerJoin('auth.users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'm.role', 'm.created_at', 'u.email', 'u.name'])
    .where('m.organization_id', '=', organizationId)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
