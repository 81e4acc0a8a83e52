import { randomUUID } from 'node:crypto';
import type { Caller } from '@flux/server-kit';
import { AppError, type Comment, type CommentThread, type CreateThreadBody } from '@flux/shared';
import { CollabRoots } from '@flux/shared/constants';
import type { Selectable } from 'kysely';
import type { AppContext } from '../context.js';
import type { DocumentsTable } from '../db/database.js';
import { authorizedDocument } from '../documents/service.js';
import { authorize } from '../policies.js';
import { toComment, toThread } from './mappers.js';
import * as comments from './repository.js';

type Document = Selectable<DocumentsTable>;

/**
 * Tells everyone in the document that its comments changed: the server sets a fresh value in the
 * Y.Map `comments` of the live room, which reaches every client on every instance (and one that
 * reconnects later) through the document's own sync and relay, persisted like any edit. Clients
 * refetch the list when it changes; stock y-websocket clients just see one more root. The write
 * is already committed, so a room that cannot load now (503) only delays the others' refresh.
 */
async function signal(ctx: AppContext, document: Document): Promise<void> {
  try {
    const room = await ctx.rooms.acquire(document.id, document.project_id);
    try {
      room.doc.getMap(CollabRoots.commentsSignal).set('rev', randomUUID());
    } finally {
      ctx.rooms.release(room);
    }
  } catch (err) {
    ctx.log.warn({ err, documentId: document.id }, 'comments signal not sent');
  }
}

async function threadOf(ctx: AppContext, documentId: string, threadId: string) {
  const thread = await comments.findThread(ctx.db, documentId, threadId);
  if (!thread) throw AppError.notFound('Comment thread');
  return thread;
}

async function withComments(ctx: AppContext, thread: Awaited<ReturnType<typeof threadOf>>): Promise<CommentThread> {
  return toThread(thread, await comments.listComments(ctx.db, [thread.id]));
}

export async function list(ctx: AppContext, caller: Caller, documentId: string): Promise<CommentThread[]> {
  await authorizedDocument(ctx, caller, documentId, 'comment.read');
  const threads = await comments.listThreads(ctx.db, documentId);
  const rows = await comments.listComments(
    ctx.db,
    threads.map((t) => t.id),
  );
  return threads.map((thread) =>
    toThread(
      thread,
      rows.filter((row) => row.thread_id === thread.id),
    ),
  );
}

export async function createThread(ctx: AppContext, caller: Caller, documentId: string, body: CreateThreadBody): Promise<CommentThread> {
  const document = await authorizedDocument(ctx, caller, documentId, 'comment.write');
  await ctx.limits.consume('comment-write', caller.id);
  const created = await ctx.db.transaction().execute(async (trx) => {
    const thread = await comments.insertThread(trx, {
      documentId,
      anchorFrom: body.anchor.from,
      anchorTo: body.anchor.to,
      quote: body.quote,
      createdBy: caller.id,
    });
    const first = await comments.insertComment(trx, { threadId: thread.id, authorId: caller.id, authorName: caller.name, body: body.body });
    return toThread(thread, [first]);
  });
  await signal(ctx, document);
  return created;
}

export async function reply(ctx: AppContext, caller: Caller, documentId: string, threadId: string, body: string): Promise<Comment> {
  const document = await authorizedDocument(ctx, caller, documentId, 'comment.write');
  await threadOf(ctx, documentId, threadId);
  await ctx.limits.consume('comment-write', caller.id);
  const row = await comments.insertComment(ctx.db, { threadId, authorId: caller.id, authorName: caller.name, body });
  await signal(ctx, document);
  return toComment(row);
}

/** Resolves (or reopens) a thread; any writer may, as in a shared review. */
export async function setResolved(ctx: AppContext, caller: Caller, documentId: string, threadId: string, resolved: boolean) {
  const document = await authorizedDocument(ctx, caller, documentId, 'comment.write');
  await threadOf(ctx, documentId, threadId);
  const row = await comments.setResolved(ctx.db, threadId, resolved ? caller.id : null);
  if (!row) throw AppError.notFound('Comment thread');
  await signal(ctx, document);
  return withComments(ctx, row);
}

/** Deletes a thread (its author or an admin): the opening comment and every reply go with it. */
export async function removeThread(ctx: AppContext, caller: Caller, documentId: string, threadId: string): Promise<void> {
  const document = await authorizedDocument(ctx, caller, documentId, 'comment.read');
  const thread = await threadOf(ctx, documentId, threadId);
  authorize(await actor(ctx, caller, document), 'comment.delete', { projectId: document.project_id, authorId: thread.created_by });
  await comments.removeThread(ctx.db, threadId);
  await signal(ctx, document);
}

/** Deletes one reply (its author or an admin); the opening comment is deleted with its thread. */
export async function removeReply(ctx: AppContext, caller: Caller, documentId: string, threadId: string, commentId: string) {
  const document = await authorizedDocument(ctx, caller, documentId, 'comment.read');
  await threadOf(ctx, documentId, threadId);
  const comment = await comments.findComment(ctx.db, threadId, commentId);
  if (!comment) throw AppError.notFound('Comment');
  authorize(await actor(ctx, caller, document), 'comment.delete', { projectId: document.project_id, authorId: comment.author_id });
  const [first] = await comments.listComments(ctx.db, [threadId]);
  if (first?.id === commentId) throw new AppError('conflict', 409, 'This is the opening comment: delete the thread instead.');
  await comments.removeComment(ctx.db, commentId);
  await signal(ctx, document);
}

async function actor(ctx: AppContext, caller: Caller, document: Document) {
  const { role } = await ctx.access.role(document.project_id, caller.id);
  return { id: caller.id, role };
}
