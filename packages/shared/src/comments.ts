import { Type, type Static } from '@sinclair/typebox';
import { Uuid } from './common.js';
import { RoleSchema } from './identity.js';

/**
 * Comments on a selection of a collab document (`/api/documents/:id/comments`): threads anchored
 * to a range, replies, resolve/reopen. The anchor is two Yjs relative positions into the
 * document's `default` XmlFragment (base64 of `Y.encodeRelativePosition`), so it follows the text.
 */

/** A base64 `Y.encodeRelativePosition`: a few dozen bytes in practice. */
const RelativePosition = Type.String({ minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9+/]+={0,2}$' });
const Body = Type.String({ minLength: 1, maxLength: 5000 });
const Timestamp = Type.String();

export const CommentAnchor = Type.Object({ from: RelativePosition, to: RelativePosition });
export type CommentAnchor = Static<typeof CommentAnchor>;

export const Comment = Type.Object({
  id: Uuid,
  threadId: Uuid,
  authorId: Uuid,
  authorName: Type.String(),
  body: Type.String(),
  createdAt: Timestamp,
});
export type Comment = Static<typeof Comment>;

export const CommentThread = Type.Object({
  id: Uuid,
  documentId: Uuid,
  anchor: CommentAnchor,
  /** The selected text when the thread was opened. */
  quote: Type.String(),
  createdBy: Uuid,
  createdAt: Timestamp,
  resolvedAt: Type.Union([Timestamp, Type.Null()]),
  resolvedBy: Type.Union([Uuid, Type.Null()]),
  /** The opening comment first, then the replies, oldest first. */
  comments: Type.Array(Comment),
});
export type CommentThread = Static<typeof CommentThread>;

export const CreateThreadBody = Type.Object({
  anchor: CommentAnchor,
  quote: Type.String({ maxLength: 2000 }),
  body: Body,
});
export type CreateThreadBody = Static<typeof CreateThreadBody>;

export const ReplyBody = Type.Object({ body: Body });
export type ReplyBody = Static<typeof ReplyBody>;

export const UpdateThreadBody = Type.Object({ resolved: Type.Boolean() });
export type UpdateThreadBody = Static<typeof UpdateThreadBody>;

export const ThreadParams = Type.Object({ id: Uuid, threadId: Uuid });
export type ThreadParams = Static<typeof ThreadParams>;
export const ReplyParams = Type.Object({ id: Uuid, threadId: Uuid, commentId: Uuid });
export type ReplyParams = Static<typeof ReplyParams>;

/**
 * `GET /internal/documents/:id/access?userId=` (collab, for messaging): the document's project and
 * the user's role there (null: no access). Messaging lets a document's readers see its images.
 */
export const DocumentAccessQuery = Type.Object({ userId: Uuid });
export type DocumentAccessQuery = Static<typeof DocumentAccessQuery>;
export const DocumentAccess = Type.Object({
  documentId: Uuid,
  projectId: Uuid,
  role: Type.Union([RoleSchema, Type.Null()]),
});
export type DocumentAccess = Static<typeof DocumentAccess>;
