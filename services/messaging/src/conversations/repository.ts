import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import type { ConversationRow, Database, MemberRow } from '../db/database.js';

type Db = DbOrTrx<Database>;
export type MemberRole = 'admin' | 'member';

export const findById = (db: Db, id: string) =>
  db.selectFrom('messaging.conversations').selectAll().where('id', '=', id).executeTakeFirst();

/** A conversation and, when they belong to it, the user's membership: one round trip. */
export async function findWithMember(
  db: Db,
  conversationId: string,
  userId: string,
): Promise<{ conversation: ConversationRow; member: MemberRow | undefined } | undefined> {
  const row = await db
    .selectFrom('messaging.conversations as c')
    .leftJoin('messaging.conversation_members as cm', (join) => join.onRef('cm.conversation_id', '=', 'c.id').on('cm.user_id', '=', userId))
    .selectAll('c')
    .select([
      'cm.user_id as member_user_id',
      'cm.role as member_role',
      'cm.last_read_seq as member_last_read_seq',
      'cm.joined_at as member_joined_at',
      'cm.muted_at as member_muted_at',
      'cm.archived_at as member_archived_at',
    ])
    .where('c.id', '=', conversationId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { member_user_id, member_role, member_last_read_seq, member_joined_at, member_muted_at, member_archived_at, ...conversation } = row;
  // The left join gives all four membership columns or none.
  const member =
    member_user_id === null || member_role === null || member_last_read_seq === null || member_joined_at === null
      ? undefined
      : {
          conversation_id: conversationId,
          user_id: member_user_id,
          role: member_role,
          last_read_seq: member_last_read_seq,
          joined_at: member_joined_at,
          muted_at: member_muted_at,
          archived_at: member_archived_at,
        };
  return { conversation, member };
}

export const findByDirectKey = (db: Db, key: string) =>
  db.selectFrom('messaging.conversations').selectAll().where('direct_key', '=', key).executeTakeFirst();

export const findByProject = (db: Db, projectId: string) =>
  db.selectFrom('messaging.conversations').selectAll().where('type', '=', 'project').where('project_id', '=', projectId).executeTakeFirst();

export const projectConversationsOfOrganization = (db: Db, organizationId: string) =>
  db
    .selectFrom('messaging.conversations')
    .selectAll()
    .where('type', '=', 'project')
    .where('organization_id', '=', organizationId)
    .execute();

/** Inserts unless the unique key (direct pair, project) already exists; undefined then. */
export const insert = (
  db: Db,
  values: Pick<ConversationRow, 'type' | 'name' | 'project_id' | 'organization_id' | 'direct_key' | 'created_by'>,
) =>
  db
    .insertInto('messaging.conversations')
    .values(values)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();

/** Adds members, skipping existing ones; returns the ids actually added. */
export async function addMembers(
  db: Db,
  conversationId: string,
  members: readonly { userId: string; role: MemberRole }[],
): Promise<string[]> {
  if (members.length === 0) return [];
  const rows = await db
    .insertInto('messaging.conversation_members')
    .values(members.map((m) => ({ conversation_id: conversationId, user_id: m.userId, role: m.role })))
    .onConflict((oc) => oc.doNothing())
    .returning('user_id')
    .execute();
  return rows.map((r) => r.user_id);
}

export const removeMember = (db: Db, conversationId: string, userId: string) =>
  db
    .deleteFrom('messaging.conversation_members')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
    .then((r) => Number(r.numDeletedRows) > 0);

export const setMemberRole = (db: Db, conversationId: string, userId: string, role: MemberRole) =>
  db
    .updateTable('messaging.conversation_members')
    .set({ role })
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .execute();

export const findMember = (db: Db, conversationId: string, userId: string) =>
  db
    .selectFrom('messaging.conversation_members')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();

export const memberIds = (db: Db, conversationId: string) =>
  db
    .selectFrom('messaging.conversation_members')
    .select('user_id')
    .where('conversation_id', '=', conversationId)
    .execute()
    .then((rows) => rows.map((r) => r.user_id));

export const conversationIdsOf = (db: Db, userId: string) =>
  db
    .selectFrom('messaging.conversation_members')
    .select('conversation_id')
    .where('user_id', '=', userId)
    .execute()
    .then((rows) => rows.map((r) => r.conversation_id));

/** The project conversations `userId` is a member of, with their project (to re-check access). */
export const projectConversationsOf = (db: Db, userId: string) =>
  db
    .selectFrom('messaging.conversation_members as m')
    .innerJoin('messaging.conversations as c', 'c.id', 'm.conversation_id')
    .select(['c.id', 'c.project_id'])
    .where('m.user_id', '=', userId)
    .where('c.type', '=', 'project')
    .execute();

/** Everyone who shares at least one conversation with `userId` (for presence). */
export const peersOf = (db: Db, userId: string, limit: number) =>
  db
    .selectFrom('messaging.conversation_members as mine')
    .innerJoin('messaging.conversation_members as other', 'other.conversation_id', 'mine.conversation_id')
    .select('other.user_id')
    .distinct()
    .where('mine.user_id', '=', userId)
    .where('other.user_id', '<>', userId)
    .limit(limit)
    .execute()
    .then((rows) => rows.map((r) => r.user_id));

/** The members of some conversations with their names from the users projection. */
export const membersOf = (db: Db, conversationIds: readonly string[]) =>
  conversationIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('messaging.conversation_members as cm')
        .leftJoin('messaging.users as u', 'u.id', 'cm.user_id')
        .select(['cm.conversation_id', 'cm.user_id', 'cm.role', 'cm.last_read_seq', 'cm.joined_at', 'u.name', 'u.email'])
        .where('cm.conversation_id', 'in', [...conversationIds])
        .orderBy('cm.joined_at')
        .orderBy('cm.user_id')
        .execute();

/**
 * Archived for this member: archived, and no message since (`updated_at` moves with each message),
 * unless muted — a muted archived conversation stays archived (as in Telegram).
 */
const archivedNow = sql`(cm.archived_at is not null and (cm.muted_at is not null or cm.archived_at >= c.updated_at))`;

/**
 * The caller's conversations (or some of them), most recently active first, each with the
 * caller's unread count and the id of the newest visible top-level message.
 */
export function listFor(db: Db, userId: string, onlyIds?: readonly string[]) {
  let query = db
    .selectFrom('messaging.conversation_members as cm')
    .innerJoin('messaging.conversations as c', 'c.id', 'cm.conversation_id')
    .selectAll('c')
    .select([
      'cm.last_read_seq',
      sql<number>`(select count(*)::int from messaging.messages m
        where m.conversation_id = c.id and m.seq > cm.last_read_seq and m.sender_id <> ${userId} and m.deleted_at is null)`.as(
        'unread_count',
      ),
      sql<string | null>`(select m.id from messaging.messages m
        where m.conversation_id = c.id and m.deleted_at is null and m.parent_id is null order by m.seq desc limit 1)`.as('last_message_id'),
      sql<boolean>`cm.muted_at is not null`.as('muted'),
      sql<boolean>`${archivedNow}`.as('archived'),
    ])
    .where('cm.user_id', '=', userId);
  if (onlyIds) query = query.where('c.id', 'in', onlyIds.length ? [...onlyIds] : ['00000000-0000-0000-0000-000000000000']);
  return query.orderBy('c.updated_at', 'desc').orderBy('c.id').execute();
}

/** Moves a read position forward only (never back), capped at the conversation's last seq. */
export const markRead = (db: Db, conversationId: string, userId: string, seq: number) =>
  db
    .updateTable('messaging.conversation_members as cm')
    .set({
      last_read_seq: sql`greatest(cm.last_read_seq, least(${seq}::bigint, (select c.last_seq from messaging.conversations c where c.id = cm.conversation_id)))`,
    })
    .where('cm.conversation_id', '=', conversationId)
    .where('cm.user_id', '=', userId)
    .returning('cm.last_read_seq')
    .executeTakeFirst();

export const unreadCount = (db: Db, conversationId: string, userId: string, afterSeq: number) =>
  db
    .selectFrom('messaging.messages')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', sql<string>`${afterSeq}`)
    .where('sender_id', '<>', userId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow()
    .then((r) => r.n);

export const rename = (db: Db, conversationId: string, name: string | null) =>
  db.updateTable('messaging.conversations').set({ name }).where('id', '=', conversationId).execute();

/**
 * The member's mute and archive; `undefined` leaves one as it is. An archive that a newer message
 * already undid (see `archivedNow`) is cleared, so muting later does not hide the conversation again.
 */
export const updateSettings = (db: Db, conversationId: string, userId: string, settings: { muted?: boolean; archived?: boolean }) =>
  db
    .updateTable('messaging.conversation_members as cm')
    .from('messaging.conversations as c')
    .set({
      muted_at: settings.muted === undefined ? sql`cm.muted_at` : settings.muted ? sql`coalesce(cm.muted_at, now())` : null,
      archived_at:
        settings.archived === undefined ? sql`case when ${archivedNow} then cm.archived_at end` : settings.archived ? sql`now()` : null,
    })
    .whereRef('c.id', '=', 'cm.conversation_id')
    .where('cm.conversation_id', '=', conversationId)
    .where('cm.user_id', '=', userId)
    .executeTakeFirst()
    .then((r) => Number(r.numUpdatedRows) > 0);

/** A group left without an admin gets one: the member who joined first. */
export const promoteIfNoAdmin = (db: Db, conversationId: string) =>
  db
    .updateTable('messaging.conversation_members')
    .set({ role: 'admin' })
    .where('conversation_id', '=', conversationId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('messaging.conversation_members as a')
            .select('a.user_id')
            .where('a.conversation_id', '=', conversationId)
            .where('a.role', '=', 'admin'),
        ),
      ),
    )
    .where('user_id', '=', (eb) =>
      eb
        .selectFrom('messaging.conversation_members as o')
        .select('o.user_id')
        .where('o.conversation_id', '=', conversationId)
        .orderBy('o.joined_at')
        .orderBy('o.user_id')
        .limit(1),
    )
    .returning('user_id')
    .executeTakeFirst();
