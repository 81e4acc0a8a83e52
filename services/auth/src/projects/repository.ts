import type { DbOrTrx } from '@flux/server-kit';
import type { Database } from '../db/database.js';
import { after, msOf } from '../db/keyset.js';
import type { PageRequest } from '../pagination.js';

export const insertProject = (db: DbOrTrx<Database>, values: { organizationId: string; name: string; createdBy: string }) =>
  db
    .insertInto('auth.projects')
    .values({ organization_id: values.organizationId, name: values.name, created_by: values.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();

export const updateProject = (db: DbOrTrx<Database>, id: string, values: { name?: string; archivedAt?: Date | null }) =>
  db
    .updateTable('auth.projects')
    .set({
      ...(values.name !== undefined && { name: values.name }),
      ...(values.archivedAt !== undefined && { archived_at: values.archivedAt }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();

export const findProject = (db: DbOrTrx<Database>, id: string) =>
  db.selectFrom('auth.projects').selectAll().where('id', '=', id).executeTakeFirst();

/** A project with the user's role in its organization (null role when not a member). */
export const findProjectAccess = (db: DbOrTrx<Database>, id: string, userId: string) =>
  db
    .selectFrom('auth.projects as p')
    .leftJoin('auth.organization_members as m', (join) =>
      join.onRef('m.organization_id', '=', 'p.organization_id').on('m.user_id', '=', userId),
    )
    .selectAll('p')
    .select('m.role')
    .where('p.id', '=', id)
    .executeTakeFirst();

/** Projects of the organizations the user belongs to, optionally of one organization. */
export const listProjectsForMember = (db: DbOrTrx<Database>, userId: string, organizationId: string | undefined, page: PageRequest) => {
  let query = db
    .selectFrom('auth.projects as p')
    .innerJoin('auth.organization_members as m', 'm.organization_id', 'p.organization_id')
    .selectAll('p')
    .where('m.user_id', '=', userId);
  if (organizationId) query = query.where('p.organization_id', '=', organizationId);
  if (page.cursor) query = query.where(after('p.created_at', 'p.id', page.cursor));
  return query
    .orderBy(msOf('p.created_at'))
    .orderBy('p.id')
    .limit(page.limit + 1)
    .execute();
};

export const listProjectMembers = (db: DbOrTrx<Database>, projectId: string) =>
  db
    .selectFrom('auth.projects as p')
    .innerJoin('auth.organization_members as m', 'm.organization_id', 'p.organization_id')
    .select(['m.user_id', 'm.role'])
    .where('p.id', '=', projectId)
    .orderBy('m.created_at')
    .execute();
