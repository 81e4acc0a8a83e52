import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';

/** A live document; one in the trash is not found here (it is hidden from every read, write and socket). */
export const findById = (db: DbOrTrx<Database>, id: string) =>
  db.selectFrom('collab.documents').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();

export const findInTrash = (db: DbOrTrx<Database>, id: string) =>
  db.selectFrom('collab.documents').selectAll().where('id', '=', id).where('deleted_at', 'is not', null).executeTakeFirst();

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
    .where('deleted_at', 'is', null)
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
  db
    .updateTable('collab.documents')
    .set({ title, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();

/** Moves a live document to the trash (millisecond precision: the trash's page cursor round-trips through JSON). */
export const moveToTrash = (db: DbOrTrx<Database>, id: string, by: string) =>
  db
    .updateTable('collab.documents')
    .set({ deleted_at: sql`date_trunc('milliseconds', now())`, deleted_by: by })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();

export const restoreFromTrash = (db: DbOrTrx<Database>, id: string) =>
  db
    .updateTable('collab.documents')
    .set({ deleted_at: null, deleted_by: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('deleted_at', 'is not', null)
    .returningAll()
    .executeTakeFirst();

/** Deletes a document in the trash for good, with its history (foreign keys cascade); false when it is not in the trash. */
export const deleteFromTrash = async (db: DbOrTrx<Database>, id: string): Promise<boolean> =>
  Number(
    (await db.deleteFrom('collab.documents').where('id', '=', id).where('deleted_at', 'is not', null).executeTakeFirst()).numDeletedRows,
  ) > 0;

/** A project's trash, most recently deleted first; `after` is the (deleted_at, id) of the previous page's last row. */
export const listTrash = (db: DbOrTrx<Database>, projectId: string, limit: number, after?: { createdAt: string; id: string }) =>
  db
    .selectFrom('collab.documents')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('deleted_at', 'is not', null)
    .$call((q) => (after ? q.where(sql<boolean>`(deleted_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`) : q))
    .orderBy('deleted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();

/**
 * Deletes documents in the trash since before `before`, with their update log, snapshot, versions
 * and comments (foreign keys cascade); at most `limit` a call, so one run never holds a long transaction.
 */
export const purgeTrash = async (db: DbOrTrx<Database>, before: Date, limit: number): Promise<number> => {
  const due = db.selectFrom('collab.documents').select('id').where('deleted_at', '<', before).limit(limit);
  const result = await db.deleteFrom('collab.documents').where('id', 'in', due).executeTakeFirst();
  return Number(result.numDeletedRows);
};

/** Which of these documents still exist. */
export const existing = async (db: DbOrTrx<Database>, ids: string[]): Promise<Set<string>> =>
  new Set(ids.length === 0 ? [] : (await db.selectFrom('collab.documents').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
