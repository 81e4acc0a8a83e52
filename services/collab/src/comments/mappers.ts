import { toIso } from '@flux/server-kit';
import type { Comment, CommentThread } from '@flux/shared';
import type { Selectable } from 'kysely';
import type { CommentsTable, CommentThreadsTable } from '../db/database.js';

export const toComment = (row: Selectable<CommentsTable>): Comment => ({
  id: row.id,
  threadId: row.thread_id,
  authorId: row.author_id,
  authorName: row.author_name,
  body: row.body,
  createdAt: toIso(row.created_at),
});

export const toThread = (row: Selectable<CommentThreadsTable>, comments: Selectable<CommentsTable>[]): CommentThread => ({
  id: row.id,
  documentId: row.document_id,
  anchor: { from: row.anchor_from, to: row.anchor_to },
  quote: row.quote,
  createdBy: row.created_by,
  createdAt: toIso(row.created_at),
  resolvedAt: row.resolved_at ? toIso(row.resolved_at) : null,
  resolvedBy: row.resolved_by,
  comments: comments.map(toComment),
});
