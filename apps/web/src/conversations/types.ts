// Messaging shapes come from @flux/shared (type-only, so no TypeBox in the bundle).
export type {
  Conversation,
  ConversationMember,
  FileInfo as Attachment,
  Message,
  MessagingServerEvents,
  Notification,
  ReactionSummary as Reaction,
  SocketAck as Ack,
} from '@flux/shared';
