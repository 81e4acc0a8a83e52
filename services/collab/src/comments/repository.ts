import type { DbOrTrx } from '@flux/server-kit';
import type { Database } from '../db/database.js';

/** Threads shown per document; far beyond what a page of comments holds in practice. */
const MAX_THREADS = 500;

export const insertThread = (
  db: DbOrTrx<Database>,
  values: { documentId: string; anchorFrom: string; anchorTo: string; quote: string; createdBy: string },
) =>
  db
    .insertInto('collab.comment_threads')
    .values({
      document_id: values.documentId,
      anchor_from: values.anchorFrom,
      anchor_to: values.anchorTo,
      quote: values.quote,
      created_by: values.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

export const insertComment = (db: DbOrTrx<Database>, values: { threadId: string; authorId: string; authorName: string; body: string }) =>
  db
    .insertInto('collab.comments')
    .values({ thread_id: values.threadId, author_id: values.authorId, author_name: values.authorName, body: values.body })
    .returningAll()
    .executeTakeFirstOrThrow();

export const findThread = (db: DbOrTrx<Database>, documentId: string, threadId: string) =>
  db.selectFrom('collab.comment_threads').selectAll().where('document_id', '=', documentId).where('id', '=', threadId).executeTakeFirst();

export const findComment = (db: DbOrTrx<Database>, threadId: string, commentId: string) =>
  db.selectFrom('collab.comments').selectAll().where('thread_id', '=', threadId).where('id', '=', commentId).executeTakeFirst();

export const listThreads = (db: DbOrTrx<Database>, documentId: string) =>
  db
    .selectFrom('collab.comment_threads')
    .selectAll()
    .where('document_id', '=', documentId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(MAX_THREADS)
    .execute();

/** Comments of these threads, oldest first (the opening comment of each comes first). */
export const listComments = (db: DbOrTrx<Database>, threadIds: string[]) =>
  threadIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('collab.comments').selectAll().where('thread_id', 'in', threadIds).orderBy('created_at').orderBy('id').execute();

export const setResolved = (db: DbOrTrx<Database>, threadId: string, resolvedBy: string | null) =>
  db
    .updateTable('collab.comment_threads')
    .set({ resolved_at: resolvedBy ? new Date() : null, resolved_by: resolvedBy })
    .where('id', '=', threadId)
    .returningAll()
    .executeTakeFirst();

/** Deletes a thread with its comments (the foreign key cascades). */
export const removeThread = (db: DbOrTrx<Database>, threadId: string) =>
  db.deleteFrom('collab.comment_threads').where('id', '=', threadId).executeTakeFirst();

export const removeComment = (db: DbOrTrx<Database>, commentId: string) =>
  db.deleteFrom('collab.comments').where('id', '=', commentId).executeTakeFirst();
