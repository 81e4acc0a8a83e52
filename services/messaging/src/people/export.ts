import type { Readable } from 'node:stream';
import type { DbOrTrx } from '@flux/server-kit';
import { AppError, type MessagingExport } from '@flux/shared';
import type { AppContext } from '../context.js';
import type { Database } from '../db/database.js';

/** The messages a user wrote (not those they deleted), oldest first, with where they were written. */
const messagesBy = (db: DbOrTrx<Database>, userId: string) =>
  db
    .selectFrom('messaging.messages as m')
    .innerJoin('messaging.conversations as c', 'c.id', 'm.conversation_id')
    .select(['m.id', 'm.conversation_id', 'c.name', 'm.content', 'm.created_at', 'm.edited_at'])
    .where('m.sender_id', '=', userId)
    .where('m.deleted_at', 'is', null)
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();

const filesOf = (db: DbOrTrx<Database>, userId: string) =>
  db
    .selectFrom('messaging.files')
    .select(['id', 'name', 'mime_type', 'size', 'created_at', 'storage_key'])
    .where('owner_id', '=', userId)
    .orderBy('created_at')
    .execute();

/** `GET /internal/users/:id/export` (auth's data export): the user's messages and the list of their files. */
export async function exportOf(ctx: AppContext, userId: string): Promise<MessagingExport> {
  const [messages, files] = await Promise.all([messagesBy(ctx.dbRead, userId), filesOf(ctx.dbRead, userId)]);
  return {
    messages: messages.map((m) => ({
      id: m.id,
      conversationId: m.conversation_id,
      conversationTitle: m.name,
      content: m.content,
      createdAt: m.created_at.toISOString(),
      editedAt: m.edited_at?.toISOString() ?? null,
    })),
    files: files.map((f) => ({
      id: f.id,
      name: f.name,
      mimeType: f.mime_type,
      size: Number(f.size),
      createdAt: f.created_at.toISOString(),
    })),
  };
}

/** `GET /internal/users/:id/files/:fileId`: the bytes of one of the user's own files; 404 for anyone else's. */
export async function ownFile(ctx: AppContext, userId: string, fileId: string): Promise<{ size: number; body: Readable }> {
  const file = await ctx.db
    .selectFrom('messaging.files')
    .select(['size', 'storage_key'])
    .where('id', '=', fileId)
    .where('owner_id', '=', userId)
    .executeTakeFirst();
  if (!file) throw AppError.notFound('File');
  const body = await ctx.storage.get(file.storage_key).catch(() => {
    throw AppError.notFound('File');
  });
  return { size: Number(file.size), body };
}
