import { Type, type Static } from '@sinclair/typebox';
import { Uuid } from './common.js';

/** Collaboration (contract §6): REST bodies, DTOs, WebSocket close codes and queue names. */

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

/**
 * Close codes of `/collab/<documentId>`. The stock y-websocket client stops reconnecting on
 * 4400–4499 (a decision retrying cannot fix) and retries with backoff on anything else.
 */
export const CollabCloseCodes = {
  /** The server is shutting down or restarting; reconnect. */
  serviceRestart: 1012,
  /** A frame above the message size limit (set by the WebSocket layer). */
  messageTooBig: 1009,
  /** The room could not be loaded, or auth was unreachable; reconnect. */
  internalError: 1011,
  /** The client read too slowly and its send buffer overflowed; reconnect and resync. */
  tryAgainLater: 1013,
  /** A frame that is not a valid y-websocket message. */
  malformedMessage: 4400,
  /** Missing, invalid or expired access token. */
  unauthorized: 4401,
  /** Unknown (or deleted) document, not a member of its project, or removed from it. */
  forbidden: 4403,
  /** The update would make the document larger than the size limit. */
  documentTooLarge: 4413,
  /** Too many updates per second; the client may reconnect (and resync) after a backoff. */
  rateLimited: 4529,
} as const;

/** BullMQ queue that folds a document's update log into its snapshot. */
export const COLLAB_COMPACTION_QUEUE = 'collab-compaction';
export interface CompactionJob {
  documentId: string;
}
