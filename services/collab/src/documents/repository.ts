import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';

export const findById = (db: DbOrTrx<Database>, id: string) =>
  db.selectFrom('collab.documents').selectAll().where('id', '=', id).executeTakeFirst();

export const insert = (db: DbOrTrx<Database>, values: { projectId: string; title: string; createdBy: string }) =>
  db
    .insertInto('collab.documents')
    .values({ project_id: values.projectId, title: values.title, created_by: values.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();

/** Newest first; `after` is the (created_at, id) of the last row of the previous page. */
export const listByProject = (db: DbOrTrx<Database>, projectId: string, limit: number, after?: { createdAt: string; id: string }) =>
  db
    .selectFrom('collab.documents')
    .selectAll()
    .where('project_id', '=', projectId)
    .$call((q) => (after ? q.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`) : q))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();

export const touch = (db: DbOrTrx<Database>, ids: string[]) =>
  ids.length === 0
    ? Promise.resolve()
    : db
        .updateTable('collab.documents')
        .set({ updated_at: sql`now()` })
        .where('id', 'in', ids)
        .execute()
        .then(() => undefined);

export const updateTitle = (db: DbOrTrx<Database>, id: string, title: string) =>
  db.updateTable('collab.documents').set({ title, updated_at: sql`now()` }).where('id', '=', id).returningAll().executeTakeFirst();

/** Deletes the document with its update log, snapshot and versions (foreign keys cascade). */
export const remove = (db: DbOrTrx<Database>, id: string) => db.deleteFrom('collab.documents').where('id', '=', id).executeTakeFirst();

/** Which of these documents still exist. */
export const existing = async (db: DbOrTrx<Database>, ids: string[]): Promise<Set<string>> =>
  new Set(ids.length === 0 ? [] : (await db.selectFrom('collab.documents').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
