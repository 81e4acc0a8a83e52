import { type Caller, isUuid } from '@flux/server-kit';
import {
  AppError,
  type CollabDocument,
  type CreateDocumentBody,
  type DocumentsQuery,
  type Page,
  type TrashedDocument,
  type TrashQuery,
} from '@flux/shared';
import type { Role } from '@flux/shared/constants';
import type { Selectable } from 'kysely';
import type { AppContext } from '../context.js';
import type { DocumentsTable } from '../db/database.js';
import { type Actor, authorize, can, type DocumentAction } from '../policies.js';
import { decodeCursor, encodeCursor, toDocument, toResource, toTrashedDocument } from './mappers.js';
import * as documents from './repository.js';

/** The caller as the project sees them: their role there, null for a non-member or an unknown project. */
async function actorIn(ctx: AppContext, caller: Caller, projectId: string): Promise<Actor> {
  const { role } = await ctx.access.role(projectId, caller.id);
  return { id: caller.id, role };
}

/** The document if the policy lets the caller do `action` on it; an unknown document is 404 like a hidden one. */
export async function authorizedDocument(
  ctx: AppContext,
  caller: Caller,
  documentId: string,
  action: DocumentAction,
): Promise<Selectable<DocumentsTable>> {
  const document = await documents.findById(ctx.db, documentId);
  if (!document) throw AppError.notFound('Document');
  authorize(await actorIn(ctx, caller, document.project_id), action, toResource(document));
  return document;
}

export async function create(ctx: AppContext, caller: Caller, body: CreateDocumentBody): Promise<CollabDocument> {
  authorize(await actorIn(ctx, caller, body.projectId), 'document.create', { projectId: body.projectId });
  await ctx.limits.consume('document-create', caller.id);
  const row = await documents.insert(ctx.db, { projectId: body.projectId, title: body.title.trim() || body.title, createdBy: caller.id });
  ctx.log.info({ documentId: row.id, projectId: row.project_id }, 'document created');
  return toDocument(row);
}

export async function list(ctx: AppContext, caller: Caller, query: DocumentsQuery): Promise<Page<CollabDocument>> {
  authorize(await actorIn(ctx, caller, query.projectId), 'document.list', { projectId: query.projectId });
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !after) throw AppError.validation('cursor', 'is not a cursor from a previous page');
  const rows = await documents.listByProject(ctx.dbRead, query.projectId, query.limit + 1, after);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { items: page.map(toDocument), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

export async function get(ctx: AppContext, caller: Caller, documentId: string): Promise<CollabDocument> {
  return toDocument(await authorizedDocument(ctx, caller, documentId, 'document.read'));
}

export async function rename(ctx: AppContext, caller: Caller, documentId: string, title: string): Promise<CollabDocument> {
  await authorizedDocument(ctx, caller, documentId, 'document.edit');
  const row = await documents.updateTitle(ctx.db, documentId, title.trim() || title);
  if (!row) throw AppError.notFound('Document');
  return toDocument(row);
}

/**
 * Deleting moves the document to its project's trash: from then on it is hidden from every read,
 * write and socket, restorable for `trashDays`, then purged. `document.deleted` is written with the
 * move (it means "gone from view", so it fires here, not at the purge): open sockets close with
 * 4403 on every instance, at once through the room relay and for certain through the stream (a
 * relay message lost in a Redis blip would leave another instance's room open).
 */
export async function remove(ctx: AppContext, caller: Caller, documentId: string): Promise<void> {
  const document = await authorizedDocument(ctx, caller, documentId, 'document.delete');
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await documents.moveToTrash(trx, documentId, caller.id))) throw AppError.notFound('Document');
    await ctx.outbox.add(trx, 'document.deleted', { documentId, projectId: document.project_id });
  });
  await ctx.rooms.closeDocument(documentId);
  ctx.log.info({ documentId, projectId: document.project_id }, 'document moved to the trash');
}

export async function listTrash(ctx: AppContext, caller: Caller, query: TrashQuery): Promise<Page<TrashedDocument>> {
  authorize(await actorIn(ctx, caller, query.projectId), 'document.list_trash', { projectId: query.projectId });
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !after) throw AppError.validation('cursor', 'is not a cursor from a previous page');
  const rows = await documents.listTrash(ctx.dbRead, query.projectId, query.limit + 1, after);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => toTrashedDocument(row, ctx.config.trashDays)),
    nextCursor: rows.length > query.limit && last?.deleted_at ? encodeCursor({ created_at: last.deleted_at, id: last.id }) : null,
  };
}

/**
 * "Delete forever" from the trash: who may delete it (its creator, an organization admin) removes
 * it now instead of waiting for the purge. Nothing is announced: it left every view when trashed.
 */
export async function deleteForever(ctx: AppContext, caller: Caller, documentId: string): Promise<void> {
  const document = await documents.findInTrash(ctx.db, documentId);
  if (!document) throw AppError.notFound('Document');
  authorize(await actorIn(ctx, caller, document.project_id), 'document.delete', toResource(document));
  if (!(await documents.deleteFromTrash(ctx.db, documentId))) throw AppError.notFound('Document');
  ctx.log.info({ documentId, projectId: document.project_id }, 'document deleted for good from the trash');
}

/** Takes a document out of the trash; it opens again where it was, with its history and versions. */
export async function restore(ctx: AppContext, caller: Caller, documentId: string): Promise<CollabDocument> {
  const document = await documents.findInTrash(ctx.db, documentId);
  if (!document) throw AppError.notFound('Document');
  authorize(await actorIn(ctx, caller, document.project_id), 'document.restore', toResource(document));
  const row = await documents.restoreFromTrash(ctx.db, documentId);
  if (!row) throw AppError.notFound('Document');
  ctx.log.info({ documentId, projectId: row.project_id }, 'document restored from the trash');
  return toDocument(row);
}

/** What admission decided about a socket: its role (guests join read-only) and the organization whose membership events concern it. */
export interface RoomAccess {
  role: Role | null;
  organizationId: string;
}

/** The caller's access to an open document's room, asked again when a membership change may have raced an admission; undefined: refused. */
export async function roomAccess(ctx: AppContext, caller: Caller, document: Selectable<DocumentsTable>): Promise<RoomAccess | undefined> {
  const access = await ctx.access.get(document.project_id, caller.id);
  if (!access || !can({ id: caller.id, role: access.role }, 'document.read', toResource(document))) return undefined;
  return { role: access.role, organizationId: access.organizationId };
}

/**
 * WebSocket admission: the document and the caller's access to it, or undefined for an unknown
 * document and a refused caller alike (the socket closes with the same 4403 either way).
 */
export async function admitToRoom(
  ctx: AppContext,
  caller: Caller,
  documentId: string,
): Promise<{ document: Selectable<DocumentsTable>; access: RoomAccess } | undefined> {
  const document = isUuid(documentId) ? await documents.findById(ctx.db, documentId) : undefined;
  if (!document) return undefined;
  const access = await roomAccess(ctx, caller, document);
  return access && { document, access };
}
