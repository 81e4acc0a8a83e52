import { toIso } from '@flux/server-kit';
import type { Conversation, ConversationMember, Message } from '@flux/shared';
import type { ConversationRow, MemberRow } from '../db/database.js';

export const toMember = (
  row: Pick<MemberRow, 'user_id' | 'role' | 'last_read_seq' | 'joined_at'> & { name: string | null; email: string | null },
): ConversationMember => ({
  userId: row.user_id,
  name: row.name ?? '',
  email: row.email ?? '',
  role: row.role,
  lastReadSeq: Number(row.last_read_seq),
  joinedAt: toIso(row.joined_at),
});

/** A conversation as one member sees it (their unread count), with its members and newest message. */
export const toConversation = (
  row: ConversationRow & { unread_count: number; muted: boolean; archived: boolean },
  members: ConversationMember[],
  lastMessage: Message | null,
): Conversation => ({
  id: row.id,
  type: row.type,
  name: row.name,
  projectId: row.project_id,
  createdBy: row.created_by,
  members,
  lastSeq: Number(row.last_seq),
  unreadCount: row.unread_count,
  lastMessage,
  muted: row.muted,
  archived: row.archived,
  createdAt: toIso(row.created_at),
  updatedAt: toIso(row.updated_at),
});
