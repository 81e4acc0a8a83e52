import type { Caller } from '@flux/server-kit';
import { AppError, type DocumentVersion } from '@flux/shared';
import * as Y from 'yjs';
import type { AppContext } from '../context.js';
import { authorizedDocument } from '../documents/service.js';
import { toVersion } from '../documents/mappers.js';
import { migrateLegacyText } from '../rooms/legacy-text.js';
import type { Room } from '../rooms/room.js';
import { revertUpdate } from './revert.js';
import * as versions from './repository.js';

/**
 * Runs `fn` on the document's live room (loading it if needed), so versions see and change the
 * same state the connected clients do.
 */
async function withRoom<T>(ctx: AppContext, documentId: string, projectId: string, fn: (room: Room) => T): Promise<T> {
  const room = await ctx.rooms.acquire(documentId, projectId);
  try {
    return fn(room);
  } finally {
    ctx.rooms.release(room);
  }
}

export async function create(ctx: AppContext, caller: Caller, documentId: string, name: string): Promise<DocumentVersion> {
  const document = await authorizedDocument(ctx, caller, documentId, 'document.edit');
  await ctx.limits.consume('version-create', caller.id);
  const state = await withRoom(ctx, documentId, document.project_id, (room) => Y.encodeStateAsUpdate(room.doc));
  // Each version holds the full state: their number per document is capped (counted under the document's row lock).
  const row = await ctx.db.transaction().execute(async (trx) => {
    if ((await versions.countLocked(trx, documentId)) >= ctx.config.maxVersionsPerDocument) {
      throw new AppError('conflict', 409, `A document keeps at most ${ctx.config.maxVersionsPerDocument} versions.`, {
        maxVersions: ctx.config.maxVersionsPerDocument,
      });
    }
    return versions.insert(trx, { documentId, name: name.trim() || name, state, createdBy: caller.id });
  });
  ctx.log.info({ documentId, versionId: row.id }, 'version created');
  return toVersion(row);
}

export async function list(ctx: AppContext, caller: Caller, documentId: string): Promise<DocumentVersion[]> {
  await authorizedDocument(ctx, caller, documentId, 'document.read');
  return (await versions.listByDocument(ctx.db, documentId)).map(toVersion);
}

/** Restores a version as a new update: connected clients see the content change live, and it is persisted like any edit. */
export async function restore(ctx: AppContext, caller: Caller, documentId: string, versionId: string): Promise<DocumentVersion> {
  const document = await authorizedDocument(ctx, caller, documentId, 'document.edit');
  // A restore rewrites the live document for everyone and costs a scratch doc and an undo pass.
  await ctx.limits.consume('version-restore', documentId);
  const version = await versions.findWithState(ctx.db, documentId, versionId);
  if (!version) throw AppError.notFound('Version');
  await withRoom(ctx, documentId, document.project_id, (room) => {
    room.applyServerUpdate(revertUpdate(room.doc, version.state), caller.id);
    // A version saved before rich text brings back only legacy text: show it in the editor again.
    migrateLegacyText(room.doc, documentId);
  });
  ctx.log.info({ documentId, versionId }, 'version restored');
  return toVersion(version);
}
