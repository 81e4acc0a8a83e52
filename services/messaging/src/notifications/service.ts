import { AppError, type Notification } from '@flux/shared';
import type { Kysely } from 'kysely';
import type { Caller } from '@flux/server-kit';
import type { AppContext } from '../context.js';
import * as conversationsRepo from '../conversations/repository.js';
import type { Database, NewNotification } from '../db/database.js';
import type { MembersAddedJob, MessageCreatedJob, NotificationJobs } from '../jobs/notifications.js';
import type { Realtime } from '../realtime/realtime.js';
import * as usersRepo from '../users/repository.js';
import { findMentions } from './mentions.js';
import { toNotification } from './mappers.js';
import { decodeIdCursor, encodeIdCursor } from '../messages/cursor.js';
import * as repo from './repository.js';

export async function list(ctx: AppContext, caller: Caller, query: { unread?: boolean; limit: number; before?: string }) {
  const rows = await repo.page(ctx.db, caller.id, {
    unread: query.unread,
    limit: query.limit + 1,
    before: query.before ? decodeIdCursor(query.before) : undefined,
  });
  const items = rows.slice(0, query.limit).map(toNotification);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeIdCursor(last.id) : null };
}

export async function markRead(ctx: AppContext, caller: Caller, id: string): Promise<Notification> {
  const row = await repo.markRead(ctx.db, caller.id, id);
  if (!row) throw AppError.notFound('Notification');
  return toNotification(row);
}

export async function markAllRead(ctx: AppContext, caller: Caller): Promise<{ updated: number }> {
  const result = await repo.markAllRead(ctx.db, caller.id);
  return { updated: Number(result.numUpdatedRows) };
}

const preview = (text: string) => (text.length > 140 ? `${text.slice(0, 139)}…` : text);

/**
 * Turns a notification job into stored notifications and pushes the new ones live; safe to run
 * twice (one notification per user and cause: the dedupe key). Returns how many were new.
 */
export async function deliver<N extends keyof NotificationJobs>(
  db: Kysely<Database>,
  realtime: Realtime,
  name: N,
  data: NotificationJobs[N],
): Promise<number> {
  // The job name says which kind of data the job carries.
  const rows =
    name === 'message_created' ? await forMessage(db, data as MessageCreatedJob) : await forMembersAdded(db, data as MembersAddedJob);
  const created = await repo.insertNew(db, rows);
  for (const row of created) realtime.toUsers([row.user_id], 'notification:new', toNotification(row));
  return created.length;
}

/**
 * Whether `forMessage` could notify anyone of a message: only in a direct conversation, or with an
 * `@`. The send path asks first, so the messages that notify no one skip the job entirely (the
 * outbox row, the queue and three queries each). Keep it true wherever `forMessage` may notify.
 */
export const messageMayNotify = (conversationType: string, content: string): boolean =>
  conversationType === 'direct' || content.includes('@');

/**
 * A new message: `direct_message` for the other member of a direct conversation, `mention` for those
 * named with `@`. people: a kind its recipient turned off in their preferences is not created at all.
 */
async function forMessage(db: Kysely<Database>, { messageId }: MessageCreatedJob): Promise<NewNotification[]> {
  const audience = await repo.messageAudience(db, messageId);
  const message = audience[0];
  if (!message || message.deleted_at) return [];
  const members = audience.flatMap((m) =>
    m.user_id === null
      ? []
      : [{ userId: m.user_id, name: m.name, email: m.email, muted: m.muted, mentions: m.mentions, direct: m.direct_messages }],
  );
  const sender = message.sender_name ?? 'Someone';
  // Dated like the message, not like the (concurrent, maybe retried) job: the list stays in message order.
  const base = {
    conversation_id: message.conversation_id,
    message_id: message.id,
    actor_id: message.sender_id,
    dedupe_key: `message:${message.id}`,
    created_at: message.created_at,
  };
  // Muted (messages features): no direct-message notification, and only a mention by name gets through (as in Slack).
  const audible = members.filter((m) => !m.muted);
  if (message.type === 'direct') {
    return audible
      .filter((m) => m.direct)
      .map((m) => ({
        ...base,
        user_id: m.userId,
        type: 'direct_message' as const,
        title: `New message from ${sender}`,
        body: preview(message.content),
      }));
  }
  const mentionable = (list: typeof members) => list.map((m) => ({ userId: m.userId, name: m.name ?? '', email: m.email ?? '' }));
  const mentioned = [
    ...findMentions(message.content, mentionable(audible)),
    ...findMentions(message.content, mentionable(members.filter((m) => m.muted)), { everyone: false }),
  ];
  const where = message.conversation_name ? ` in ${message.conversation_name}` : '';
  const wantsMentions = new Set(members.filter((m) => m.mentions).map((m) => m.userId));
  return mentioned
    .filter((userId) => wantsMentions.has(userId))
    .map((userId) => ({
      ...base,
      user_id: userId,
      type: 'mention' as const,
      title: `${sender} mentioned you${where}`,
      body: preview(message.content),
    }));
}

/** People added to a conversation (not the one who added them): `added_to_conversation`. */
async function forMembersAdded(
  db: Kysely<Database>,
  { conversationId, userIds, actorId, addId }: MembersAddedJob,
): Promise<NewNotification[]> {
  const conversation = await conversationsRepo.findById(db, conversationId);
  if (!conversation) return [];
  const [actor] = actorId ? await usersRepo.names(db, [actorId]) : [];
  const title = `${actor?.name ?? 'Someone'} added you to ${conversation.name ?? 'a conversation'}`;
  return userIds
    .filter((id) => id !== actorId)
    .map((userId) => ({
      user_id: userId,
      type: 'added_to_conversation' as const,
      title,
      body: '',
      conversation_id: conversationId,
      message_id: null,
      actor_id: actorId,
      dedupe_key: `added:${conversationId}:${addId}`,
    }));
}
