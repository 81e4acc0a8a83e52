import type { DbOrTrx } from '@flux/server-kit';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';

export interface StoredState {
  /** The snapshot (if any) followed by every later logged update, in log order. */
  updates: Uint8Array[];
  /** Logged updates not yet folded into the snapshot. */
  pendingCount: number;
}

/**
 * Reads a document's persisted state in one statement (one round trip), which sees one snapshot of
 * the database: a compaction committing meanwhile cannot make the snapshot and the log disagree.
 */
export async function loadState(db: Kysely<Database>, documentId: string): Promise<StoredState> {
  const { rows } = await sql<{ data: Uint8Array; snapshot: boolean }>`
    with snapshot as (
      select state, up_to_update_id from collab.document_snapshots where document_id = ${documentId}
    )
    select state as data, true as snapshot, 0::bigint as id from snapshot
    union all
    select u.update, false, u.id from collab.document_updates u
    where u.document_id = ${documentId} and u.id > coalesce((select up_to_update_id from snapshot), 0)
    order by snapshot desc, id`.execute(db);
  return { updates: rows.map((r) => r.data), pendingCount: rows.filter((r) => !r.snapshot).length };
}

/** Appends updates of several documents in one statement, keeping the given order. */
export async function appendUpdates(db: DbOrTrx<Database>, rows: Array<{ documentId: string; update: Uint8Array }>): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('collab.document_updates')
    .values(rows.map((r) => ({ document_id: r.documentId, update: r.update })))
    .execute();
}

/** Locks the document row for the rest of the transaction (compactions of one document run one at a time). */
export async function lockDocument(trx: Transaction<Database>, documentId: string): Promise<boolean> {
  const row = await trx.selectFrom('collab.documents').select('id').where('id', '=', documentId).forUpdate().executeTakeFirst();
  return row !== undefined;
}

export async function findSnapshot(db: DbOrTrx<Database>, documentId: string) {
  return db
    .selectFrom('collab.document_snapshots')
    .select(['state', 'up_to_update_id'])
    .where('document_id', '=', documentId)
    .executeTakeFirst();
}

export async function updatesAfter(db: DbOrTrx<Database>, documentId: string, afterId: string) {
  return db
    .selectFrom('collab.document_updates')
    .select(['id', 'update'])
    .where('document_id', '=', documentId)
    .where('id', '>', afterId)
    .orderBy('id')
    .execute();
}

export async function saveSnapshot(db: DbOrTrx<Database>, documentId: string, state: Uint8Array, upToUpdateId: string): Promise<void> {
  await db
    .insertInto('collab.document_snapshots')
    .values({ document_id: documentId, state, up_to_update_id: upToUpdateId })
    .onConflict((oc) => oc.column('document_id').doUpdateSet({ state, up_to_update_id: upToUpdateId, updated_at: sql`now()` }))
    .execute();
}

export async function deleteUpdatesUpTo(db: DbOrTrx<Database>, documentId: string, upToUpdateId: string): Promise<void> {
  await db.deleteFrom('collab.document_updates').where('document_id', '=', documentId).where('id', '<=', upToUpdateId).execute();
}

export async function countUpdates(db: DbOrTrx<Database>, documentId: string): Promise<number> {
  const row = await db
    .selectFrom('collab.document_updates')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('document_id', '=', documentId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
