import type { DbOrTrx } from '@flux/server-kit';
import type { Database } from '../db/database.js';

type Db = DbOrTrx<Database>;

/** A conversation's pins of live messages, newest pin first, with the message rows. */
export const list = (db: Db, conversationId: string, limit: number) =>
  db
    .selectFrom('messaging.pins as p')
    .innerJoin('messaging.messages as m', 'm.id', 'p.message_id')
    .selectAll('m')
    .select(['p.pinned_by', 'p.pinned_at'])
    .where('p.conversation_id', '=', conversationId)
    .where('m.deleted_at', 'is', null)
    .orderBy('p.pinned_at', 'desc')
    .orderBy('p.message_id')
    .limit(limit)
    .execute();

export const count = (db: Db, conversationId: string) =>
  db
    .selectFrom('messaging.pins')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));

export const find = (db: Db, messageId: string) =>
  db.selectFrom('messaging.pins').selectAll().where('message_id', '=', messageId).executeTakeFirst();

/** Pins a message unless it is pinned already (the first pin stays); undefined then. */
export const insert = (db: Db, values: { message_id: string; conversation_id: string; pinned_by: string }) =>
  db
    .insertInto('messaging.pins')
    .values(values)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();

export const remove = (db: Db, messageId: string) =>
  db
    .deleteFrom('messaging.pins')
    .where('message_id', '=', messageId)
    .executeTakeFirst()
    .then((r) => Number(r.numDeletedRows) > 0);
