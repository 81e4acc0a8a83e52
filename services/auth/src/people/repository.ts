import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import { DELETED_USER_NAME } from '@flux/shared';
import type { Database } from '../db/database.js';

/** Stores an avatar with the next version (1 for the first), returning that version. */
export const upsertAvatar = async (db: DbOrTrx<Database>, userId: string, image: Buffer): Promise<number> =>
  (
    await db
      .insertInto('auth.user_avatars')
      .values({ user_id: userId, version: 1, image })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ image, version: sql<number>`auth.user_avatars.version + 1`, updated_at: new Date() }),
      )
      .returning('version')
      .executeTakeFirstOrThrow()
  ).version;

export const findAvatar = (db: DbOrTrx<Database>, userId: string) =>
  db.selectFrom('auth.user_avatars').select(['version', 'image']).where('user_id', '=', userId).executeTakeFirst();

export const deleteAvatar = (db: DbOrTrx<Database>, userId: string) =>
  db.deleteFrom('auth.user_avatars').where('user_id', '=', userId).executeTakeFirst();

export const scheduleDeletion = (db: DbOrTrx<Database>, userId: string, at: Date) =>
  db.updateTable('auth.users').set({ deletion_requested_at: at }).where('id', '=', userId).where('deleted_at', 'is', null).execute();

/** Clears a pending deletion; true when there was one (a sign-in within the grace period). */
export const cancelDeletion = async (db: DbOrTrx<Database>, userId: string): Promise<boolean> =>
  (
    await db
      .updateTable('auth.users')
      .set({ deletion_requested_at: null })
      .where('id', '=', userId)
      .where('deletion_requested_at', 'is not', null)
      .where('deleted_at', 'is', null)
      .executeTakeFirst()
  ).numUpdatedRows > 0n;

/** Accounts whose deletion was asked before `requestedBefore` and which still hold personal data. */
export const lockAccountsDueForErasure = (db: DbOrTrx<Database>, requestedBefore: Date, limit: number) =>
  db
    .selectFrom('auth.users')
    .select(['id', 'email'])
    .where('deletion_requested_at', '<=', requestedBefore)
    .where('deleted_at', 'is', null)
    .orderBy('deletion_requested_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();

/**
 * Erases one account's personal data in `trx`: the row stays as a tombstone (its id is what
 * messages and documents point to) with a placeholder name and an address nobody can own; every
 * credential, session, device, link, avatar, membership, pending invitation and mail to the old
 * address goes. Returns the organizations the user left.
 */
export async function eraseAccount(
  trx: DbOrTrx<Database>,
  user: { id: string; email: string },
): Promise<{ left: string[]; promoted: Array<{ organizationId: string; userId: string }> }> {
  const promoted = await handOverSoleOwnerships(trx, user.id);
  const left = await trx.deleteFrom('auth.organization_members').where('user_id', '=', user.id).returning('organization_id').execute();
  await trx.deleteFrom('auth.user_avatars').where('user_id', '=', user.id).execute();
  await trx.deleteFrom('auth.sessions').where('user_id', '=', user.id).execute();
  await trx.deleteFrom('auth.mfa_recovery_codes').where('user_id', '=', user.id).execute();
  await trx.deleteFrom('auth.oauth_accounts').where('user_id', '=', user.id).execute();
  await trx.deleteFrom('auth.email_tokens').where('user_id', '=', user.id).execute();
  await trx.deleteFrom('auth.known_devices').where('user_id', '=', user.id).execute();
  // Their IPs and browsers: personal data too.
  await trx.deleteFrom('auth.security_events').where('user_id', '=', user.id).execute();
  await trx.deleteFrom('auth.invitations').where('email', '=', user.email).execute();
  await trx.deleteFrom('auth.dev_outbox').where('recipient', '=', user.email).execute();
  await trx
    .updateTable('auth.users')
    .set({
      name: DELETED_USER_NAME,
      email: `deleted-${user.id}@deleted.invalid`,
      password_hash: null,
      email_verified_at: null,
      mfa_pending_secret: null,
      mfa_secret: null,
      mfa_enabled_at: null,
      is_admin: false,
      deleted_at: new Date(),
      updated_at: new Date(),
    })
    .where('id', '=', user.id)
    .execute();
  return { left: left.map((row) => row.organization_id), promoted };
}

/**
 * An organization must keep an owner: where the erased user was the only one, the longest-standing
 * admin becomes owner (else the longest-standing member, else guest). Returns who was promoted where.
 */
async function handOverSoleOwnerships(trx: DbOrTrx<Database>, userId: string): Promise<Array<{ organizationId: string; userId: string }>> {
  const soleOwned = await trx
    .selectFrom('auth.organization_members as m')
    .select('m.organization_id')
    .where('m.user_id', '=', userId)
    .where('m.role', '=', 'owner')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('auth.organization_members as other')
            .select('other.user_id')
            .whereRef('other.organization_id', '=', 'm.organization_id')
            .where('other.role', '=', 'owner')
            .where('other.user_id', '!=', userId),
        ),
      ),
    )
    .execute();
  const promoted: Array<{ organizationId: string; userId: string }> = [];
  for (const { organization_id: organizationId } of soleOwned) {
    const successor = await trx
      .selectFrom('auth.organization_members')
      .select('user_id')
      .where('organization_id', '=', organizationId)
      .where('user_id', '!=', userId)
      .orderBy(sql`case role when 'admin' then 0 when 'member' then 1 else 2 end`)
      .orderBy('created_at')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    if (!successor) continue;
    await trx
      .updateTable('auth.organization_members')
      .set({ role: 'owner', updated_at: new Date() })
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', successor.user_id)
      .execute();
    promoted.push({ organizationId, userId: successor.user_id });
  }
  return promoted;
}

/** The organizations a user belongs to, with their role (for the export). */
export const organizationsOf = (db: DbOrTrx<Database>, userId: string) =>
  db
    .selectFrom('auth.organization_members as m')
    .innerJoin('auth.organizations as o', 'o.id', 'm.organization_id')
    .select(['o.id', 'o.name', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('o.name')
    .execute();
