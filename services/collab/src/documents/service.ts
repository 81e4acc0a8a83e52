import {
  AppError,
  canManageMembers,
  canWrite,
  type AccessTokenClaims,
  type CollabDocument,
  type CreateDocumentBody,
  type DocumentsQuery,
  type Page,
  type Role,
} from '@flux/shared';
import type { Selectable } from 'kysely';
import type { CollabContext } from '../context.js';
import type { DocumentsTable } from '../db/database.js';
import { decodeCursor, encodeCursor, toDocument } from './mappers.js';
import * as documents from './repository.js';

/** A project's role for the caller; non-members (and unknown projects) see 404, never 403. */
async function projectRole(ctx: CollabContext, user: AccessTokenClaims, projectId: string, what = 'Project'): Promise<Role> {
  const { role } = await ctx.access.role(projectId, user.sub);
  if (!role) throw AppError.notFound(what);
  return role;
}

/** The document if the caller may see it (and write it, when asked); else 404 (or 403 for a read-only role). */
export async function authorize(
  ctx: CollabContext,
  user: AccessTokenClaims,
  documentId: string,
  need: 'read' | 'write',
): Promise<{ document: Selectable<DocumentsTable>; role: Role }> {
  const document = await documents.findById(ctx.db, documentId);
  if (!document) throw AppError.notFound('Document');
  const role = await projectRole(ctx, user, document.project_id, 'Document');
  if (need === 'write' && !canWrite(role)) throw AppError.forbidden('Guests can read this document but not change it.');
  return { document, role };
}

export async function create(ctx: CollabContext, user: AccessTokenClaims, body: CreateDocumentBody): Promise<CollabDocument> {
  const role = await projectRole(ctx, user, body.projectId);
  if (!canWrite(role)) throw AppError.forbidden('Guests cannot create documents.');
  const row = await documents.insert(ctx.db, { projectId: body.projectId, title: body.title.trim() || body.title, createdBy: user.sub });
  ctx.log.info({ documentId: row.id, projectId: row.project_id }, 'document created');
  return toDocument(row);
}

export async function list(ctx: CollabContext, user: AccessTokenClaims, query: DocumentsQuery): Promise<Page<CollabDocument>> {
  await projectRole(ctx, user, query.projectId);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !after) throw AppError.validation('cursor', 'is not a cursor from a previous page');
  const rows = await documents.listByProject(ctx.db, query.projectId, query.limit + 1, after);
  const page = rows.slice(0, query.limit);
  return { items: page.map(toDocument), nextCursor: rows.length > query.limit ? encodeCursor(page.at(-1)!) : null };
}

export async function get(ctx: CollabContext, user: AccessTokenClaims, documentId: string): Promise<CollabDocument> {
  return toDocument((await authorize(ctx, user, documentId, 'read')).document);
}

export async function rename(ctx: CollabContext, user: AccessTokenClaims, documentId: string, title: string): Promise<CollabDocument> {
  await authorize(ctx, user, documentId, 'write');
  const row = await documents.updateTitle(ctx.db, documentId, title.trim() || title);
  if (!row) throw AppError.notFound('Document');
  return toDocument(row);
}

/** Its creator or an organization owner/admin may delete a document; open sockets close with 4403 on every instance. */
export async function remove(ctx: CollabContext, user: AccessTokenClaims, documentId: string): Promise<void> {
  const { document, role } = await authorize(ctx, user, documentId, 'write');
  if (document.created_by !== user.sub && !canManageMembers(role))
    throw AppError.forbidden('Only the creator or an organization admin can delete this document.');
  await documents.remove(ctx.db, documentId);
  await ctx.rooms.closeDocument(documentId);
  ctx.log.info({ documentId, projectId: document.project_id }, 'document deleted');
}
