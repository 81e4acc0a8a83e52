import { Type, type Static } from '@sinclair/typebox';
import { Uuid } from './common.js';

/** Collaboration (contract §6): REST bodies, DTOs and queue names; the WebSocket close codes are in constants.ts. */

const Title = Type.String({ minLength: 1, maxLength: 200 });
const Timestamp = Type.String();

export const CollabDocument = Type.Object({
  id: Uuid,
  projectId: Uuid,
  title: Type.String(),
  createdBy: Uuid,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type CollabDocument = Static<typeof CollabDocument>;

export const CreateDocumentBody = Type.Object({ projectId: Uuid, title: Title });
export type CreateDocumentBody = Static<typeof CreateDocumentBody>;

export const UpdateDocumentBody = Type.Object({ title: Title });
export type UpdateDocumentBody = Static<typeof UpdateDocumentBody>;

export const DocumentsQuery = Type.Object({
  projectId: Uuid,
  /** A `nextCursor` from the previous page. */
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
});
export type DocumentsQuery = Static<typeof DocumentsQuery>;

export const DocumentVersion = Type.Object({
  id: Uuid,
  documentId: Uuid,
  name: Type.String(),
  createdBy: Uuid,
  createdAt: Timestamp,
  /** Bytes of the stored Yjs state. */
  size: Type.Integer(),
});
export type DocumentVersion = Static<typeof DocumentVersion>;

export const CreateVersionBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
export type CreateVersionBody = Static<typeof CreateVersionBody>;
export const VersionParams = Type.Object({ id: Uuid, versionId: Uuid });
export type VersionParams = Static<typeof VersionParams>;

/** BullMQ queue that folds a document's update log into its snapshot. */
export const COLLAB_COMPACTION_QUEUE = 'collab-compaction';
export interface CompactionJob {
  documentId: string;
}
