import type { EventBus, Outbox } from '@flux/server-kit';
import { DELETED_USER_NAME } from '@flux/shared';
import type { Kysely } from 'kysely';
import type { AuthOutboxEvents } from '../context.js';
import type { Database } from '../db/database.js';
import * as repo from './repository.js';

const BATCH = 50;

/**
 * Erases the accounts whose deletion was asked more than `graceSeconds` before `now` (the purge job;
 * tests pass a later `now` rather than wait), in transactions of up to 50 accounts: memberships end with
 * their `membership.changed` events (messaging drops the user from project conversations), and
 * `user.erased` (durable) has messaging and collab replace their copies of the name; `user.updated`
 * (pub/sub) refreshes messaging's projection at once. Idempotent: an erased
 * account is never picked again, and rows locked by another instance are skipped.
 */
export async function eraseDeletedAccounts(
  deps: { db: Kysely<Database>; events: EventBus; outbox: Outbox<AuthOutboxEvents> },
  { graceSeconds, now = new Date() }: { graceSeconds: number; now?: Date },
): Promise<number> {
  const requestedBefore = new Date(now.getTime() - graceSeconds * 1000);
  let erased = 0;
  for (;;) {
    const batch = await deps.db.transaction().execute(async (trx) => {
      const due = await repo.lockAccountsDueForErasure(trx, requestedBefore, BATCH);
      for (const user of due) {
        const { left, promoted } = await repo.eraseAccount(trx, user);
        for (const organizationId of left)
          await deps.outbox.add(trx, 'membership.changed', { organizationId, userId: user.id, role: null });
        for (const successor of promoted) await deps.outbox.add(trx, 'membership.changed', { ...successor, role: 'owner' });
        await deps.outbox.add(trx, 'user.erased', { userId: user.id });
      }
      return due;
    });
    for (const user of batch)
      await deps.events.publish('user.updated', {
        userId: user.id,
        name: DELETED_USER_NAME,
        email: `deleted-${user.id}@deleted.invalid`,
      });
    erased += batch.length;
    if (batch.length < BATCH) return erased;
  }
}
