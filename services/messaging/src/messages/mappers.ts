import { toIso } from '@flux/server-kit';
import type { FileInfo, Message, ReactionSummary } from '@flux/shared';
import type { FileRow, MessageRow } from '../db/database.js';

export const toFileInfo = (row: Pick<FileRow, 'id' | 'name' | 'size' | 'mime_type'>): FileInfo => ({
  id: row.id,
  name: row.name,
  size: Number(row.size),
  mimeType: row.mime_type,
  url: `/api/files/${row.id}`,
});

export interface MessageExtras {
  author: { id: string; name: string } | null;
  attachments: FileInfo[];
  reactions: ReactionSummary[];
}

/** History pages build the same JSON in SQL (`repository.page`); test/history-pages.test.ts holds the two equal. */
export function toMessage(row: MessageRow, extras: MessageExtras): Message {
  const deleted = row.deleted_at !== null;
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    authorId: row.sender_id,
    author: extras.author,
    clientId: row.client_id,
    // A deleted message keeps its place (seq) but none of its content.
    content: deleted ? '' : row.content,
    parentId: row.parent_id,
    replyCount: row.reply_count,
    attachments: deleted ? [] : extras.attachments,
    reactions: deleted ? [] : extras.reactions,
    createdAt: toIso(row.created_at),
    editedAt: toIso(row.edited_at),
    deletedAt: toIso(row.deleted_at),
  };
}

/** Groups reaction rows (oldest first) into one summary per emoji, in order of first use. */
export function summarizeReactions(rows: readonly { emoji: string; user_id: string }[]): ReactionSummary[] {
  const byEmoji = new Map<string, string[]>();
  for (const row of rows) {
    const users = byEmoji.get(row.emoji) ?? [];
    users.push(row.user_id);
    byEmoji.set(row.emoji, users);
  }
  return [...byEmoji].map(([emoji, userIds]) => ({ emoji, count: userIds.length, userIds }));
}
