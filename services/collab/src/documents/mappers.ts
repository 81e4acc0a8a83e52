import { toIso } from '@flux/server-kit';
import type { CollabDocument, DocumentVersion, TrashedDocument } from '@flux/shared';
import type { Selectable } from 'kysely';
import type { DocumentsTable, DocumentVersionsTable } from '../db/database.js';
import type { DocumentResource } from '../policies.js';

export const toDocument = (row: Selectable<DocumentsTable>): CollabDocument => ({
  id: row.id,
  projectId: row.project_id,
  title: row.title,
  createdBy: row.created_by,
  createdAt: toIso(row.created_at),
  updatedAt: toIso(row.updated_at),
});

/** A document in the trash; the purge job deletes it `trashDays` after it was deleted. */
export const toTrashedDocument = (row: Selectable<DocumentsTable>, trashDays: number): TrashedDocument => {
  const deletedAt = row.deleted_at ?? new Date();
  return {
    ...toDocument(row),
    deletedAt: toIso(deletedAt),
    deletedBy: row.deleted_by,
    purgeAt: new Date(new Date(deletedAt).getTime() + trashDays * 86_400_000).toISOString(),
  };
};

/** What the policies decide on. */
export const toResource = (row: Pick<Selectable<DocumentsTable>, 'project_id' | 'created_by'>): DocumentResource => ({
  projectId: row.project_id,
  createdBy: row.created_by,
});

export const toVersion = (row: Omit<Selectable<DocumentVersionsTable>, 'state'> & { size: number | string }): DocumentVersion => ({
  id: row.id,
  documentId: row.document_id,
  name: row.name,
  createdBy: row.created_by,
  createdAt: toIso(row.created_at),
  size: Number(row.size),
});

/** Opaque page cursor: the sort key of the last item. */
export const encodeCursor = (row: { created_at: Date; id: string }): string =>
  Buffer.from(`${toIso(row.created_at)}|${row.id}`).toString('base64url');

export function decodeCursor(cursor: string): { createdAt: string; id: string } | undefined {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!createdAt || !id || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  return { createdAt, id };
}
