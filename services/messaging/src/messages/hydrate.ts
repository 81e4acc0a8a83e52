import type { FileInfo, Message } from '@flux/shared';
import type { DbOrTrx } from '@flux/server-kit';
import type { Database, MessageRow } from '../db/database.js';
import * as users from '../users/repository.js';
import { summarizeReactions, toFileInfo, toMessage } from './mappers.js';
import { attachmentRows, reactionRows } from './repository.js';

type Db = DbOrTrx<Database>;

/** Message rows → DTOs with authors, attachments and reactions: three queries for any number of rows. */
export async function hydrate(db: Db, rows: readonly MessageRow[]): Promise<Message[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const authorIds = [...new Set(rows.map((r) => r.sender_id))];
  const [authors, attachments, reactions] = await Promise.all([users.names(db, authorIds), attachmentRows(db, ids), reactionRows(db, ids)]);
  const authorById = new Map(authors.map((a) => [a.id, a]));
  const filesByMessage = new Map<string, FileInfo[]>();
  for (const row of attachments) {
    const list = filesByMessage.get(row.message_id) ?? [];
    list.push(toFileInfo(row));
    filesByMessage.set(row.message_id, list);
  }
  return rows.map((row) =>
    toMessage(row, {
      author: authorById.get(row.sender_id) ?? null,
      attachments: filesByMessage.get(row.id) ?? [],
      reactions: summarizeReactions(reactions.filter((r) => r.message_id === row.id)),
    }),
  );
}

export async function hydrateOne(db: Db, row: MessageRow): Promise<Message> {
  const [message] = await hydrate(db, [row]);
  if (!message) throw new Error('hydrate returned no message for one row');
  return message;
}
