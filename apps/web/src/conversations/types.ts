// Messaging shapes come from @flux/shared (type-only, so no TypeBox in the bundle).
export type {
  Conversation,
  ConversationMember,
  FileInfo as Attachment,
  ClientToServerEvents,
  Message,
  Notification,
  ReactionSummary as Reaction,
  ServerToClientEvents,
  ServerToClientPayloads,
} from '@flux/shared';
