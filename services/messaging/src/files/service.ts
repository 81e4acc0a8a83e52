import type { Readable } from 'node:stream';
import { AppError, type FileInfo } from '@flux/shared';
import type { Caller } from '@flux/server-kit';
import type { AppContext } from '../context.js';
import type { FileRow } from '../db/database.js';
import { toFileInfo } from '../messages/mappers.js';
import { sanitizeFileName } from './names.js';
import { authorize } from '../policies.js';
import * as repo from './repository.js';
import { sniffMimeType } from './sniff.js';

export interface Upload {
  filename: string | undefined;
  /** The part's stream; `truncated` is set when it hit the size limit. */
  stream: Readable & { truncated?: boolean };
  /** The collab document the file goes into (an image there): its writers may upload, its readers download. */
  documentId?: string | undefined;
}

/** The caller's role in the project of a collab document (null: no access, or no such document), as collab answers it. */
async function documentRole(ctx: AppContext, caller: Caller, documentId: string) {
  return (await ctx.collab.documentAccess(documentId, caller.id))?.role ?? null;
}

const quotaExceeded = (quota: number) =>
  new AppError('quota_exceeded', 413, 'Your storage quota is used up; delete files or ask for more space.', { quotaBytes: quota });

const tooLarge = (max: number) => new AppError('payload_too_large', 413, `A file holds at most ${max} bytes.`, { maxFileSize: max });

/** Streams an upload to storage, then records it; oversize (413) and over-quota (413) uploads leave nothing behind. */
export async function upload(ctx: AppContext, caller: Caller, file: Upload): Promise<FileInfo> {
  if (file.documentId) {
    try {
      const role = await documentRole(ctx, caller, file.documentId);
      // Anyone in the document's project counts as its member: refused guests get 403, strangers 404.
      authorize({ id: caller.id, role: role && 'member' }, 'file.attach_to_document', { documentRole: role });
    } catch (err) {
      file.stream.resume(); // let the rest of the body drain so the connection stays usable
      throw err;
    }
  }
  const quota = ctx.config.userQuotaBytes;
  if ((await repo.bytesUsedBy(ctx.db, caller.id)) >= quota) {
    file.stream.resume(); // let the rest of the body drain so the connection stays usable
    throw quotaExceeded(quota);
  }
  const stored = await ctx.storage.put(file.stream).catch((err: unknown) => {
    // A disk problem (ENOSPC, EACCES…) is ours; anything else is the client's body breaking off.
    const code = String((err as { code?: string }).code ?? '');
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(ctx.config.maxFileSize);
    if (/^E[A-Z]+$/.test(code)) throw err;
    ctx.log.info({ err }, 'upload aborted');
    throw new AppError('upload_incomplete', 400, 'The upload ended before the file was complete; try again.');
  });
  if (file.stream.truncated) {
    await ctx.storage.remove(stored.key);
    throw tooLarge(ctx.config.maxFileSize);
  }
  if ((await repo.bytesUsedBy(ctx.db, caller.id)) + stored.size > quota) {
    await ctx.storage.remove(stored.key);
    throw quotaExceeded(quota);
  }
  const row = await repo.insert(ctx.db, {
    owner_id: caller.id,
    name: sanitizeFileName(file.filename),
    mime_type: await sniffMimeType(stored.head),
    size: stored.size,
    storage_key: stored.key,
    document_id: file.documentId ?? null,
  });
  ctx.log.info({ fileId: row.id, size: stored.size }, 'file uploaded');
  return toFileInfo(row);
}

/** The file and its bytes, for its uploader, the members of a conversation it is attached to and the readers of its document; 404 for anyone else. */
export async function download(ctx: AppContext, caller: Caller, id: string): Promise<{ file: FileRow; body: Readable }> {
  const file = await repo.findById(ctx.db, id);
  if (!file) throw AppError.notFound('File');
  // Only asked when it matters: the uploader needs no conversation.
  const sharedWithActor = file.owner_id !== caller.id && (await repo.isVisibleThroughConversation(ctx.db, id, caller.id));
  // An image of a document: collab is asked only when nothing else lets the caller see it.
  const role =
    file.owner_id !== caller.id && !sharedWithActor && file.document_id ? await documentRole(ctx, caller, file.document_id) : null;
  authorize({ id: caller.id, role: null }, 'file.download', { ownerId: file.owner_id, sharedWithActor, documentRole: role });
  const body = await ctx.storage.get(file.storage_key).catch(() => {
    throw AppError.notFound('File');
  });
  return { file, body };
}

/** The uploader deletes a file (freeing quota); it disappears from the messages it was attached to. */
export async function remove(ctx: AppContext, caller: Caller, id: string): Promise<void> {
  const file = await repo.findById(ctx.db, id);
  if (!file) throw AppError.notFound('File');
  authorize({ id: caller.id, role: null }, 'file.delete', { ownerId: file.owner_id });
  // Still only the owner's row: a concurrent delete leaves nothing to remove (404 as before).
  const removed = await repo.removeOwned(ctx.db, id, caller.id);
  if (!removed) throw AppError.notFound('File');
  await ctx.storage.remove(removed.storage_key);
}
