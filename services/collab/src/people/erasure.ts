import { DELETED_USER_NAME } from '@flux/shared';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/**
 * `user.erased` (durable, once per deployment, retried): comments keep the author's name copied
 * at write time; an erased author's becomes "Deleted user". Idempotent.
 */
export async function onUserErased(db: Kysely<Database>, { userId }: { userId: string }): Promise<void> {
  await db.updateTable('collab.comments').set({ author_name: DELETED_USER_NAME }).where('author_id', '=', userId).execute();
}
