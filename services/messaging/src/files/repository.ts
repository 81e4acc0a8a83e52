import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';

type Db = DbOrTrx<Database>;

export const insert = (
  db: Db,
  values: { owner_id: string; name: string; mime_type: string; size: number; storage_key: string; document_id: string | null },
) => db.insertInto('messaging.files').values(values).returningAll().executeTakeFirstOrThrow();

export const findById = (db: Db, id: string) => db.selectFrom('messaging.files').selectAll().where('id', '=', id).executeTakeFirst();

/** Those of `ids` that `ownerId` uploaded. */
export const findOwned = (db: Db, ownerId: string, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('messaging.files')
        .select(['id', 'name', 'size', 'mime_type'])
        .where('id', 'in', [...ids])
        .where('owner_id', '=', ownerId)
        .execute();

export const bytesUsedBy = (db: Db, ownerId: string) =>
  db
    .selectFrom('messaging.files')
    .select(sql<string>`coalesce(sum(size), 0)`.as('total'))
    .where('owner_id', '=', ownerId)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.total));

/** Whether the file is attached to a live message in a conversation `userId` belongs to. */
export const isVisibleThroughConversation = (db: Db, fileId: string, userId: string) =>
  db
    .selectFrom('messaging.message_attachments as a')
    .innerJoin('messaging.messages as m', 'm.id', 'a.message_id')
    .innerJoin('messaging.conversation_members as cm', (join) =>
      join.onRef('cm.conversation_id', '=', 'm.conversation_id').on('cm.user_id', '=', userId),
    )
    .select('a.file_id')
    .where('a.file_id', '=', fileId)
    .where('m.deleted_at', 'is', null)
    .limit(1)
    .executeTakeFirst()
    .then((r) => r !== undefined);

export const removeOwned = (db: Db, id: string, ownerId: string) =>
  db.deleteFrom('messaging.files').where('id', '=', id).where('owner_id', '=', ownerId).returning(['storage_key']).executeTakeFirst();
