import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Uuid } from './common.js';
import type { ErrorCode } from './constants.js';
import type { Caller } from './identity.js';

/** Messaging (contract §5): REST bodies, DTOs, socket payloads and queue names. */

/** Longest message content accepted (characters); longer content is 413 `message_too_long`. */
export const MAX_MESSAGE_LENGTH = 10_000;

export const ConversationTypes = ['direct', 'group', 'project'] as const;
export type ConversationType = (typeof ConversationTypes)[number];
export const ConversationTypeSchema = Type.Union(ConversationTypes.map((t) => Type.Literal(t)));
export const ConversationRoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('member')]);
export type ConversationRole = Static<typeof ConversationRoleSchema>;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String();

export const UserSummary = Type.Object({ id: Uuid, name: Type.String() });
export type UserSummary = Static<typeof UserSummary>;

export const FileInfo = Type.Object({
  id: Uuid,
  name: Type.String(),
  size: Type.Integer(),
  mimeType: Type.String(),
  /** Where to download it (authorised: uploader or members of a conversation it is attached to). */
  url: Type.String(),
});
export type FileInfo = Static<typeof FileInfo>;

export const ReactionSummary = Type.Object({ emoji: Type.String(), count: Type.Integer(), userIds: Type.Array(Uuid) });
export type ReactionSummary = Static<typeof ReactionSummary>;

export const Message = Type.Object({
  id: Uuid,
  conversationId: Uuid,
  /** Per conversation: gap-free and increasing, assigned when the message is committed. */
  seq: Type.Integer(),
  authorId: Uuid,
  author: Nullable(UserSummary),
  clientId: Type.String(),
  /** Empty once deleted. */
  content: Type.String(),
  parentId: Nullable(Uuid),
  replyCount: Type.Integer(),
  attachments: Type.Array(FileInfo),
  reactions: Type.Array(ReactionSummary),
  createdAt: Timestamp,
  editedAt: Nullable(Timestamp),
  deletedAt: Nullable(Timestamp),
});
export type Message = Static<typeof Message>;

export const ConversationMember = Type.Object({
  userId: Uuid,
  name: Type.String(),
  email: Type.String(),
  role: ConversationRoleSchema,
  lastReadSeq: Type.Integer(),
  joinedAt: Timestamp,
});
export type ConversationMember = Static<typeof ConversationMember>;

export const Conversation = Type.Object({
  id: Uuid,
  type: ConversationTypeSchema,
  name: Nullable(Type.String()),
  projectId: Nullable(Uuid),
  createdBy: Nullable(Uuid),
  members: Type.Array(ConversationMember),
  /** The seq of the newest message (0 when empty). */
  lastSeq: Type.Integer(),
  /** Messages by others after the caller's read position, deleted ones excluded. */
  unreadCount: Type.Integer(),
  lastMessage: Nullable(Message),
  /** The caller muted it: no notifications from it but personal @mentions, and a quiet unread badge. */
  muted: Type.Boolean(),
  /** The caller archived it and nothing arrived since (a new message brings it back unless it is muted). */
  archived: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Conversation = Static<typeof Conversation>;

/** `PATCH /api/conversations/:id`: rename a group (null clears the name). */
export const UpdateConversationBody = Type.Object({ name: Nullable(Type.String({ minLength: 1, maxLength: 100 })) });
export type UpdateConversationBody = Static<typeof UpdateConversationBody>;

/** `PUT /api/conversations/:id/settings`: the caller's own mute and archive of a conversation. */
export const ConversationSettingsBody = Type.Object(
  { muted: Type.Optional(Type.Boolean()), archived: Type.Optional(Type.Boolean()) },
  { minProperties: 1 },
);
export type ConversationSettingsBody = Static<typeof ConversationSettingsBody>;

/** A pinned message of a conversation. */
export const Pin = Type.Object({
  conversationId: Uuid,
  messageId: Uuid,
  pinnedBy: Uuid,
  pinnedAt: Timestamp,
  message: Message,
});
export type Pin = Static<typeof Pin>;

export const CreateConversationBody = Type.Object({
  type: ConversationTypeSchema,
  memberIds: Type.Optional(Type.Array(Uuid, { maxItems: 500, uniqueItems: true })),
  projectId: Type.Optional(Uuid),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});
export type CreateConversationBody = Static<typeof CreateConversationBody>;

export const AddMembersBody = Type.Object({ memberIds: Type.Array(Uuid, { minItems: 1, maxItems: 500, uniqueItems: true }) });
export type AddMembersBody = Static<typeof AddMembersBody>;
export const ConversationMemberParams = Type.Object({ id: Uuid, userId: Uuid });

// Content length is checked by the service (413 message_too_long); the schema only bounds the work of parsing.
const Content = Type.String({ minLength: 1, maxLength: 200_000 });
const ClientId = Type.String({ minLength: 1, maxLength: 100 });

export const SendMessageBody = Type.Object({
  content: Content,
  clientId: ClientId,
  parentId: Type.Optional(Uuid),
  /** Ids of files the sender uploaded. */
  attachments: Type.Optional(Type.Array(Uuid, { maxItems: 10, uniqueItems: true })),
});
export type SendMessageBody = Static<typeof SendMessageBody>;

export const EditMessageBody = Type.Object({ content: Content });
export const ReactionBody = Type.Object({ emoji: Type.String({ minLength: 1, maxLength: 32 }) });
/** A seq a client sends: bounded so a huge number (1e30) is a 400, not a database overflow. */
const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const ReadBody = Type.Object({ seq: Seq });
export const ReadState = Type.Object({ conversationId: Uuid, lastReadSeq: Type.Integer(), unreadCount: Type.Integer() });
export type ReadState = Static<typeof ReadState>;

export const MessagesQuery = Type.Object({
  /** A `nextCursor` from the previous page. */
  before: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  /** Only the replies of this thread. */
  parentId: Type.Optional(Uuid),
});
/** An opaque `nextCursor` from a previous page (base64url); an empty or foreign one is a 400. */
const Cursor = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' });
export const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 200 }),
  conversationId: Type.Optional(Uuid),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  before: Type.Optional(Cursor),
});

// --- files ---
export const FileParams = Type.Object({ id: Uuid });

// --- notifications ---
export const NotificationTypes = ['mention', 'direct_message', 'added_to_conversation'] as const;
export type NotificationType = (typeof NotificationTypes)[number];
export const Notification = Type.Object({
  id: Uuid,
  type: Type.Union(NotificationTypes.map((t) => Type.Literal(t))),
  title: Type.String(),
  body: Type.String(),
  data: Type.Object({ conversationId: Nullable(Uuid), messageId: Nullable(Uuid), actorId: Nullable(Uuid) }),
  readAt: Nullable(Timestamp),
  createdAt: Timestamp,
});
export type Notification = Static<typeof Notification>;
export const NotificationsQuery = Type.Object({
  unread: Type.Optional(Type.Boolean()),
  before: Type.Optional(Cursor),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
});

// --- Socket.IO payloads (client → server) ---
export const SocketSendMessage = Type.Object({
  conversationId: Uuid,
  content: Content,
  clientId: ClientId,
  parentId: Type.Optional(Uuid),
  attachments: Type.Optional(Type.Array(Uuid, { maxItems: 10, uniqueItems: true })),
});
export type SocketSendMessage = Static<typeof SocketSendMessage>;
export const SocketTyping = Type.Object({ conversationId: Uuid, isTyping: Type.Boolean() });
export type SocketTyping = Static<typeof SocketTyping>;
export const SocketRead = Type.Object({ conversationId: Uuid, seq: Seq });
export type SocketRead = Static<typeof SocketRead>;
export const SocketSync = Type.Object({
  // Keys are conversation ids; ids that are not the caller's conversations are ignored.
  conversations: Type.Record(Type.String(), Seq, { maxProperties: 1000 }),
});
export type SocketSync = Static<typeof SocketSync>;

export type SocketError = { code: ErrorCode; message: string; details?: unknown };
export type SocketAck<T> = ({ ok: true } & T) | { ok: false; error: SocketError };
/** The acknowledgement a client may pass as the last argument; the server answers only when it is there. */
export type SocketAckCallback<T> = (answer: SocketAck<T>) => void;

/** What `sync` answers: `messages` after each last seen seq (oldest first, at most a page: `hasMore`), and `updated`: older messages edited or deleted since. */
export interface SyncResult {
  messages: Message[];
  hasMore: boolean;
  updated: Message[];
}

/**
 * Client → server events (contract §5). Every payload is validated by the server against the
 * schema of the same name; a bad one gets `{ok: false, error: {code: 'validation_error'}}`.
 * The server acks all four when the client passes a callback. The ack is required in the types
 * where the client needs the answer (so `socket.timeout(ms).emit(…, (err, answer) => …)` types
 * it) and optional where the web fires and forgets.
 */
export interface ClientToServerEvents {
  'message:send': (payload: SocketSendMessage, ack: SocketAckCallback<{ message: Message }>) => void;
  /** `throttled: true` when the server skipped relaying a repeated "typing" within its interval. */
  typing: (payload: SocketTyping, ack?: SocketAckCallback<{ throttled?: true }>) => void;
  'message:read': (payload: SocketRead, ack?: SocketAckCallback<ReadState>) => void;
  sync: (payload: SocketSync, ack: SocketAckCallback<SyncResult>) => void;
}

/** Server → client events and their payloads. */
export interface ServerToClientPayloads {
  'message:new': Message;
  'message:updated': Message;
  'message:deleted': { id: string; conversationId: string; seq: number; deletedAt: string };
  /**
   * One emoji's reactions on a message after someone added or removed it (`count: 0`: nobody
   * reacts with it any more); the message's other reactions are unchanged. Only the changed
   * emoji travels, not the whole list, so a busy message does not multiply every toggle.
   */
  'reaction:updated': { messageId: string; conversationId: string; reaction: ReactionSummary };
  typing: { conversationId: string; userId: string; isTyping: boolean };
  presence: { userId: string; status: 'online' | 'offline' };
  read: { conversationId: string; userId: string; seq: number };
  'notification:new': Notification;
  'conversation:new': Conversation;
  /** The user left or was removed: drop the conversation from view (its room was left already). */
  'conversation:removed': { id: string };
  /**
   * Part of a conversation changed: to its room `name` (renamed) or `members` (added, removed,
   * left); to one user's own sockets their `muted` / `archived`. Absent fields are unchanged.
   */
  'conversation:updated': { id: string } & Partial<Pick<Conversation, 'name' | 'members' | 'muted' | 'archived'>>;
  /** A message was pinned in a conversation (to its room). */
  'message:pinned': Pin;
  'message:unpinned': { conversationId: string; messageId: string };
  /**
   * The socket's session was signed out (logout, logout-all, revoke, password reset, refresh
   * reuse); the server disconnects it right after. The client signs out rather than reconnecting.
   */
  'session:revoked': { reason: string };
}

/** Server → client events as Socket.IO's typed maps want them: `Socket<ServerToClientEvents, ClientToServerEvents>` in the web. */
export type ServerToClientEvents = { [E in keyof ServerToClientPayloads]: (payload: ServerToClientPayloads[E]) => void };

/** What the messaging server keeps per socket: `new Server<ClientToServerEvents, ServerToClientEvents, {}, SocketData>`. */
export interface SocketData {
  caller: Caller;
  /** conversationId → when this socket last relayed `typing: true`. */
  typingAt: Map<string, number>;
  /** Events in the current window, against floods from one socket. */
  events: { windowStart: number; count: number };
  /** When the handshake's access token expires (ms since epoch), if it says. */
  expiresAt?: number;
}

/** BullMQ queue of notification work (one queue; the job name tells the kind). */
export const NOTIFICATIONS_QUEUE = 'notifications';
