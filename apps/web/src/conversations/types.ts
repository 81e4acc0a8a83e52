// The messaging shapes of contract §5, as this app reads them. They move to @flux/shared types
// (packages/shared/src/messaging.ts) once that file lands; fields the app does not need are left out.

export interface Attachment {
  id: string;
  name: string;
  size: number;
  mimeType: string;
  url: string;
}

export interface Reaction {
  emoji: string;
  count: number;
  userIds: string[];
}

export interface Message {
  id: string;
  conversationId: string;
  seq: number;
  authorId: string;
  author?: { id: string; name: string } | null;
  content: string;
  clientId?: string | null;
  parentId?: string | null;
  attachments?: Attachment[];
  reactions?: Reaction[];
  replyCount?: number;
  editedAt?: string | null;
  deletedAt?: string | null;
  createdAt: string;
}

export interface ConversationMember {
  userId: string;
  name?: string;
  email?: string;
  lastReadSeq?: number;
}

export interface Conversation {
  id: string;
  type: 'direct' | 'group' | 'project';
  name?: string | null;
  projectId?: string | null;
  members?: ConversationMember[];
  unreadCount: number;
  lastMessage?: Message | null;
  createdAt?: string;
}

export interface Notification {
  id: string;
  type: string;
  title?: string;
  body?: string;
  data?: Record<string, unknown>;
  readAt?: string | null;
  createdAt: string;
}

export type Ack<T> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };
