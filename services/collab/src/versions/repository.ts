import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';

const summary = ['id', 'document_id', 'name', 'created_by', 'created_at'] as const;

export const insert = (db: DbOrTrx<Database>, values: { documentId: string; name: string; state: Uint8Array; createdBy: string }) =>
  db
    .insertInto('collab.document_versions')
    .values({ document_id: values.documentId, name: values.name, state: values.state, created_by: values.createdBy })
    .returning([...summary, sql<number>`octet_length(state)`.as('size')])
    .executeTakeFirstOrThrow();

/** Versions of a document, counted while holding its row lock (concurrent creates queue behind it; a deleted document counts none). */
export async function countLocked(trx: DbOrTrx<Database>, documentId: string): Promise<number> {
  await trx.selectFrom('collab.documents').select('id').where('id', '=', documentId).forUpdate().execute();
  const { count } = await trx
    .selectFrom('collab.document_versions')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('document_id', '=', documentId)
    .executeTakeFirstOrThrow();
  return Number(count);
}

export const listByDocument = (db: DbOrTrx<Database>, documentId: string) =>
  db
    .selectFrom('collab.document_versions')
    .select([...summary, sql<number>`octet_length(state)`.as('size')])
    .where('document_id', '=', documentId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(500)
    .execute();

export const findWithState = (db: DbOrTrx<Database>, documentId: string, versionId: string) =>
  db
    .selectFrom('collab.document_versions')
    .select([...summary, 'state', sql<number>`octet_length(state)`.as('size')])
    .where('document_id', '=', documentId)
    .where('id', '=', versionId)
    .executeTakeFirst();
