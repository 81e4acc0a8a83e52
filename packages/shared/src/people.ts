import { type Static, Type } from '@sinclair/typebox';
import { Uuid } from './common.js';

// --- people (auth: /api/users*, the avatar, deletion and export of one's account) ---

/** The name an erased account is shown with, wherever its messages, documents and comments stay. */
export const DELETED_USER_NAME = 'Deleted user';

/** Someone who shares an organization with the caller: a name and, when set, the avatar's versioned URL. */
export const Person = Type.Object({
  id: Uuid,
  name: Type.String(),
  /** `/api/users/:id/avatar?v=<version>`: a new upload gets a new URL, so the image can be cached for good. */
  avatarUrl: Type.Union([Type.String(), Type.Null()]),
});
export type Person = Static<typeof Person>;

/** `GET /api/users/:id/avatar?v=`: the version the URL names (any other answers with revalidation). */
export const AvatarQuery = Type.Object({ v: Type.Optional(Type.Integer({ minimum: 1 })) });
export type AvatarQuery = Static<typeof AvatarQuery>;

/** `DELETE /api/auth/me` → 202: when the account and its personal data go unless the owner signs in before. */
export const AccountDeletion = Type.Object({ deletionScheduledFor: Type.String({ format: 'date-time' }) });
export type AccountDeletion = Static<typeof AccountDeletion>;

// --- internal routes the export collects from (service token) ---

/** `GET /internal/users/:id/export` on messaging: the messages the user wrote and the files they uploaded. */
export const MessagingExport = Type.Object({
  messages: Type.Array(
    Type.Object({
      id: Uuid,
      conversationId: Uuid,
      conversationTitle: Type.Union([Type.String(), Type.Null()]),
      content: Type.String(),
      createdAt: Type.String(),
      editedAt: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  files: Type.Array(
    Type.Object({ id: Uuid, name: Type.String(), mimeType: Type.String(), size: Type.Integer(), createdAt: Type.String() }),
  ),
});
export type MessagingExport = Static<typeof MessagingExport>;

/** `GET /internal/users/:id/documents` on collab: the documents the user created, with their text. */
export const CollabExport = Type.Object({
  documents: Type.Array(
    Type.Object({
      id: Uuid,
      projectId: Uuid,
      title: Type.String(),
      text: Type.String(),
      createdAt: Type.String(),
      updatedAt: Type.String(),
    }),
  ),
});
export type CollabExport = Static<typeof CollabExport>;

/** `POST /internal/users/:id/mail` on auth: a message to a user's address (messaging's digest). */
export const InternalMail = Type.Object({
  subject: Type.String({ minLength: 1, maxLength: 200 }),
  text: Type.String({ minLength: 1, maxLength: 100_000 }),
});
export type InternalMail = Static<typeof InternalMail>;
export const InternalMailSent = Type.Object({ sent: Type.Boolean() });

// --- notification preferences (messaging: /api/notifications/preferences) ---

export const EmailDigests = ['off', 'daily'] as const;
export const NotificationPreferences = Type.Object({
  /** A notification when someone @mentions me. */
  mentions: Type.Boolean(),
  /** A notification for each direct message. */
  directMessages: Type.Boolean(),
  /** A mail summing up unread notifications once a day. */
  emailDigest: Type.Union(EmailDigests.map((d) => Type.Literal(d))),
});
export type NotificationPreferences = Static<typeof NotificationPreferences>;
export const UpdateNotificationPreferences = Type.Partial(NotificationPreferences, { minProperties: 1 });
export type UpdateNotificationPreferences = Static<typeof UpdateNotificationPreferences>;
