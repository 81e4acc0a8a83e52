import type { Notification } from '@flux/shared';
import type { NotificationRow } from '../db/database.js';
import { toIso } from '@flux/server-kit';

export const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  type: row.type,
  title: row.title,
  body: row.body,
  data: { conversationId: row.conversation_id, messageId: row.message_id, actorId: row.actor_id },
  readAt: toIso(row.read_at),
  createdAt: toIso(row.created_at),
});
