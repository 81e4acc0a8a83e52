import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * Row types of the `messaging` schema, matching migrations/sql/messaging; kysely queries use
 * `messaging.<table>`. bigint columns come back from postgres.js as strings; mappers turn them
 * into numbers (a seq stays far below 2^53).
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type BigIntColumn = ColumnType<string, number | string | undefined, number | string>;

export interface UsersTable {
  id: string;
  name: string;
  email: string;
  updated_at: Timestamp;
}

export interface ConversationsTable {
  id: Generated<string>;
  type: 'direct' | 'group' | 'project';
  name: string | null;
  project_id: string | null;
  organization_id: string | null;
  direct_key: string | null;
  created_by: string | null;
  last_seq: BigIntColumn;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConversationMembersTable {
  conversation_id: string;
  user_id: string;
  role: 'admin' | 'member';
  last_read_seq: BigIntColumn;
  joined_at: Timestamp;
  /** Migration 0003: when this member muted / archived the conversation (null: not). */
  muted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  archived_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface MessagesTable {
  id: Generated<string>;
  conversation_id: string;
  seq: ColumnType<string, number, never>;
  sender_id: string;
  client_id: string;
  content: string;
  parent_id: string | null;
  reply_count: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  edited_at: Date | null;
  deleted_at: Date | null;
  search: ColumnType<string, never, never>;
}

export interface ReactionsTable {
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: Timestamp;
}

export interface FilesTable {
  id: Generated<string>;
  owner_id: string;
  name: string;
  mime_type: string;
  size: BigIntColumn;
  storage_key: string;
  created_at: Timestamp;
  /** The collab document the file was uploaded into (an image there): its readers may download it. */
  document_id: string | null;
}

export interface MessageAttachmentsTable {
  message_id: string;
  file_id: string;
  position: ColumnType<number, number | undefined, number>;
}

export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  type: 'mention' | 'direct_message' | 'added_to_conversation';
  title: string;
  body: string;
  conversation_id: string | null;
  message_id: string | null;
  actor_id: string | null;
  dedupe_key: string;
  read_at: Date | null;
  created_at: Timestamp;
}

/** Migration 0003: one pin per message. */
export interface PinsTable {
  message_id: string;
  conversation_id: string;
  pinned_by: string;
  pinned_at: Timestamp;
}

/** people (0004): a user's notification preferences; no row means the defaults. */
export interface NotificationPreferencesTable {
  user_id: string;
  mentions: ColumnType<boolean, boolean | undefined, boolean>;
  direct_messages: ColumnType<boolean, boolean | undefined, boolean>;
  email_digest: ColumnType<'off' | 'daily', 'off' | 'daily' | undefined, 'off' | 'daily'>;
  digest_sent_at: Date | null;
  updated_at: Timestamp;
}

export interface Database {
  'messaging.users': UsersTable;
  'messaging.conversations': ConversationsTable;
  'messaging.conversation_members': ConversationMembersTable;
  'messaging.messages': MessagesTable;
  'messaging.reactions': ReactionsTable;
  'messaging.files': FilesTable;
  'messaging.message_attachments': MessageAttachmentsTable;
  'messaging.notifications': NotificationsTable;
  'messaging.pins': PinsTable;
  'messaging.notification_preferences': NotificationPreferencesTable;
}

export type ConversationRow = Selectable<ConversationsTable>;
export type MemberRow = Selectable<ConversationMembersTable>;
export type MessageRow = Selectable<MessagesTable>;
export type FileRow = Selectable<FilesTable>;
export type NotificationRow = Selectable<NotificationsTable>;
export type NewNotification = Insertable<NotificationsTable>;
