import type { Kysely } from 'kysely';
import * as Y from 'yjs';
import type { Database } from '../db/database.js';
import { deleteUpdatesUpTo, findSnapshot, lockDocument, saveSnapshot, updatesAfter } from './repository.js';

/**
 * Folds a document's logged updates into its snapshot. Idempotent: it takes whatever the log
 * holds past the current snapshot, so running it twice (or on two instances) is harmless; the
 * row lock keeps two runs from interleaving. Content is unchanged: the snapshot is the state of
 * a doc that applied exactly the snapshot and the folded updates.
 */
export async function compactDocument(db: Kysely<Database>, documentId: string): Promise<{ folded: number }> {
  return db.transaction().execute(async (trx) => {
    if (!(await lockDocument(trx, documentId))) return { folded: 0 };
    const snapshot = await findSnapshot(trx, documentId);
    const updates = await updatesAfter(trx, documentId, snapshot?.up_to_update_id ?? '0');
    const last = updates.at(-1);
    if (!last) return { folded: 0 };
    const doc = new Y.Doc({ gc: true });
    try {
      if (snapshot) Y.applyUpdate(doc, snapshot.state);
      for (const { update } of updates) Y.applyUpdate(doc, update);
      await saveSnapshot(trx, documentId, Y.encodeStateAsUpdate(doc), last.id);
      await deleteUpdatesUpTo(trx, documentId, last.id);
      return { folded: updates.length };
    } finally {
      doc.destroy();
    }
  });
}
