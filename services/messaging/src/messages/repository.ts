import type { DbOrTrx } from '@flux/server-kit';
import { type RawBuilder, sql } from 'kysely';
import type { Database, MessageRow } from '../db/database.js';

type Db = DbOrTrx<Database>;

export const findById = (db: Db, id: string) => db.selectFrom('messaging.messages').selectAll().where('id', '=', id).executeTakeFirst();

export const findByIds = (db: Db, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('messaging.messages')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute();

export const findByClientId = (db: Db, senderId: string, clientId: string) =>
  db.selectFrom('messaging.messages').selectAll().where('sender_id', '=', senderId).where('client_id', '=', clientId).executeTakeFirst();

/**
 * Takes the conversation's next seq, inserts the message, moves the sender's read position to it
 * and runs `alongside` (an `insert … select`, e.g. the outbox event announcing it) once for the
 * inserted row, in one statement: one round trip,
 * and atomic on its own. The counter row stays locked until the statement's (or the surrounding)
 * transaction ends, which orders concurrent senders; if the insert fails (e.g. a duplicate
 * clientId) the increment fails with it, so seqs have no gaps.
 */
export async function insertWithNextSeq(
  db: Db,
  values: { id: string; conversation_id: string; sender_id: string; client_id: string; content: string; parent_id: string | null },
  alongside?: RawBuilder<unknown>,
): Promise<MessageRow> {
  const result = await sql<MessageRow>`
    with next as (
      update messaging.conversations set last_seq = last_seq + 1, updated_at = now()
      where id = ${values.conversation_id}::uuid
      returning last_seq
    ), inserted as (
      insert into messaging.messages (id, conversation_id, seq, sender_id, client_id, content, parent_id)
      select ${values.id}::uuid, ${values.conversation_id}::uuid, next.last_seq, ${values.sender_id}::uuid, ${values.client_id}::text, ${values.content}::text, ${values.parent_id}::uuid
      from next
      returning *
    ), read as (
      -- Posting marks the conversation read up to one's own message, as in Mattermost.
      update messaging.conversation_members set last_read_seq = greatest(last_read_seq, (select seq from inserted))
      where conversation_id = ${values.conversation_id}::uuid and user_id = ${values.sender_id}::uuid
    )${alongside ? sql`, alongside as (${alongside} from inserted)` : sql``}
    select * from inserted`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error(`conversation ${values.conversation_id} vanished while sending`);
  return row;
}

/** A message as `insertWithNextSeq` takes it (a top-level one: replies and attachments go one at a time). */
export type NewMessage = { id: string; conversation_id: string; sender_id: string; client_id: string; content: string };

/**
 * `insertWithNextSeq` for many messages at once (group commit): one statement and one commit
 * for all. Each conversation's counter moves by its number of messages and they take
 * its next seqs in the order given, so seqs stay gap-free; `alongside` runs once (the outbox
 * events of those that notify). The conversations are locked first, in id order, so two batches
 * cannot deadlock. Atomic: a duplicate clientId fails the whole statement (the caller retries
 * each on its own). A message whose conversation is gone is missing from the answer.
 */
export async function insertManyWithNextSeq(
  db: Db,
  messages: readonly NewMessage[],
  alongside?: RawBuilder<unknown>,
): Promise<MessageRow[]> {
  const column = <K extends keyof NewMessage>(key: K) => messages.map((m) => m[key]);
  const { rows } = await sql<MessageRow>`
    with input as (
      select * from unnest(${column('id')}::uuid[], ${column('conversation_id')}::uuid[], ${column('sender_id')}::uuid[],
        ${column('client_id')}::text[], ${column('content')}::text[]) with ordinality as i(id, conversation_id, sender_id, client_id, content, ord)
    ), locked as (
      select c.id from messaging.conversations c where c.id in (select conversation_id from input) order by c.id for no key update
    ), counted as (
      select conversation_id, count(*) as n from input group by conversation_id
    ), next as (
      -- The scalar subquery runs once before the first row is updated: every lock is taken in order first.
      update messaging.conversations c set last_seq = c.last_seq + counted.n, updated_at = now()
      from counted where c.id = counted.conversation_id and (select count(*) from locked) > 0
      returning c.id, c.last_seq
    ), numbered as (
      select i.*, next.last_seq - count(*) over same + row_number() over (same order by i.ord) as seq
      from input i join next on next.id = i.conversation_id
      window same as (partition by i.conversation_id)
    ), inserted as (
      insert into messaging.messages (id, conversation_id, seq, sender_id, client_id, content)
      select id, conversation_id, seq, sender_id, client_id, content from numbered
      returning *
    ), read as (
      update messaging.conversation_members cm set last_read_seq = greatest(cm.last_read_seq, mine.seq)
      from (select conversation_id, sender_id, max(seq) as seq from numbered group by conversation_id, sender_id) mine
      where cm.conversation_id = mine.conversation_id and cm.user_id = mine.sender_id
    )${alongside ? sql`, alongside as (${alongside})` : sql``}
    select * from inserted`.execute(db);
  return rows;
}

export const changeReplyCount = (db: Db, id: string, delta: number) =>
  db
    .updateTable('messaging.messages')
    .set({ reply_count: sql`greatest(reply_count + ${delta}, 0)` })
    .where('id', '=', id)
    .execute();

export const attach = (db: Db, messageId: string, fileIds: readonly string[]) =>
  fileIds.length === 0
    ? Promise.resolve()
    : db
        .insertInto('messaging.message_attachments')
        .values(fileIds.map((file_id, position) => ({ message_id: messageId, file_id, position })))
        .execute();

export const updateContent = (db: Db, id: string, content: string) =>
  db
    .updateTable('messaging.messages')
    .set({ content, edited_at: new Date() })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();

export const softDelete = (db: Db, id: string) =>
  db
    .updateTable('messaging.messages')
    .set({ deleted_at: new Date(), content: '' })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .$narrowType<{ deleted_at: Date }>()
    .executeTakeFirst();

/** A timestamp as `Date.toISOString()` writes it (UTC, milliseconds, truncated like postgres.js' Dates). */
const iso = (column: string) => sql`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The version of what a conversation's history pages show: its last seq, its change counter and
 * the authors' names counter (migration 0008; triggers move them on every change a page shows).
 */
const versionOf = (conversationId: string) => sql<{ version: string }>`
  select c.last_seq || '.' || coalesce(cc.changes, 0) || '.' || (select n.changes from messaging.name_changes n) as version
  from messaging.conversations c left join messaging.conversation_changes cc on cc.conversation_id = c.id
  where c.id = ${conversationId}`;

/** A conversation's page version (see `page`); undefined when the conversation does not exist. */
export const pageVersion = (db: Db, conversationId: string): Promise<string | undefined> =>
  versionOf(conversationId)
    .execute(db)
    .then((r) => r.rows[0]?.version);

/**
 * A page newest first (messages with seq below `before`, optionally one thread's replies) as the
 * JSON body of `GET /api/conversations/:id/messages`, built by the database in one statement:
 * `{ items: Message[], nextCursor }` with authors, attachments and reactions, exactly as `toMessage`
 * would, with the conversation's page version read in the same snapshot. Undefined when the
 * conversation does not exist.
 */
export async function page(
  db: Db,
  conversationId: string,
  options: { before?: number; limit: number; parentId?: string },
): Promise<{ version: string; body: string } | undefined> {
  const before = options.before === undefined ? sql`` : sql`and m.seq < ${options.before}`;
  const thread = options.parentId ? sql`and m.parent_id = ${options.parentId}` : sql``;
  const { rows } = await sql<{ version: string | null; body: string }>`
    with version as (select (${versionOf(conversationId)}) as version),
    newest as (
      select m.*
      from messaging.messages m
      where m.conversation_id = ${conversationId} ${before} ${thread}
      order by m.seq desc
      limit ${options.limit + 1}
    ),
    items as (
      select m.seq, row_to_json(item) as item
      from (select * from newest order by seq desc limit ${options.limit}) m
      cross join lateral (
        select
          m.id,
          m.conversation_id as "conversationId",
          m.seq,
          m.sender_id as "authorId",
          (select row_to_json(a) from (select u.id, u.name from messaging.users u where u.id = m.sender_id) a) as author,
          m.client_id as "clientId",
          case when m.deleted_at is null then m.content else '' end as content,
          m.parent_id as "parentId",
          m.reply_count as "replyCount",
          case when m.deleted_at is null then coalesce((
            select array_to_json(array_agg(row_to_json(f)))
            from (
              select f.id, f.name, f.size, f.mime_type as "mimeType", '/api/files/' || f.id as url
              from messaging.message_attachments a join messaging.files f on f.id = a.file_id
              where a.message_id = m.id
              order by a.position
            ) f
          ), '[]') else '[]' end as attachments,
          case when m.deleted_at is null then coalesce((
            -- One summary per emoji in order of first use, its users in the order they reacted.
            select array_to_json(array_agg(row_to_json(e)))
            from (
              select r.emoji, count(*)::int as count, array_agg(r.user_id order by r.n) as "userIds"
              from (
                select emoji, user_id, row_number() over (order by created_at, user_id) as n
                from messaging.reactions where message_id = m.id
              ) r
              group by r.emoji
              order by min(r.n)
            ) e
          ), '[]') else '[]' end as reactions,
          ${iso('m.created_at')} as "createdAt",
          ${iso('m.edited_at')} as "editedAt",
          ${iso('m.deleted_at')} as "deletedAt"
      ) item
    )
    select version.version, (
      select '{"items":' || coalesce(array_to_json(array_agg(items.item order by items.seq desc))::text, '[]')
        || ',"nextCursor":'
        || case when (select count(*) from newest) > ${options.limit} then to_json(min(items.seq)::text)::text else 'null' end
        || '}'
      from items
    ) as body
    from version`.execute(db);
  const row = rows[0];
  return row?.version ? { version: row.version, body: row.body } : undefined;
}

/**
 * Messages after each given seq, in the conversations among them that `userId` is a member of,
 * oldest first: at most `limit`, and only as many as can start within `maxBytes` of content (a
 * lower bound of their JSON), so a sync never loads megabytes it will not send. `more`: rows were
 * left out, by either bound.
 */
export async function since(
  db: Db,
  userId: string,
  positions: Record<string, number>,
  { limit, maxBytes }: { limit: number; maxBytes: number },
): Promise<{ rows: MessageRow[]; more: boolean }> {
  const { rows } = await sql<MessageRow & { bytes_before: string; candidates: string }>`
    with candidates as (
      select m.*, sum(octet_length(m.content)) over (order by m.conversation_id, m.seq) - octet_length(m.content) as bytes_before
      from messaging.messages m
      join jsonb_each_text(${JSON.stringify(positions)}::text::jsonb) p(conversation_id, seq) on m.conversation_id = p.conversation_id::uuid and m.seq > p.seq::bigint
      join messaging.conversation_members cm on cm.conversation_id = m.conversation_id and cm.user_id = ${userId}
      order by m.conversation_id, m.seq
      limit ${limit + 1}
    )
    select *, (select count(*) from candidates) as candidates from candidates
    where bytes_before < ${maxBytes}
    order by conversation_id, seq`.execute(db);
  const fetched = Number(rows[0]?.candidates ?? 0);
  return {
    rows: rows.slice(0, limit).map(({ bytes_before: _, candidates: __, ...row }) => row),
    more: fetched > Math.min(rows.length, limit),
  };
}

/**
 * Older messages (seq ≤ the client's lastSeq, within the last `window`) edited or deleted after
 * the client's lastSeq message was created: changes a client that was away may have missed.
 * A superset (it may repeat changes the client saw live); clients merge by id.
 */
export function changedBefore(
  db: Db,
  userId: string,
  positions: Record<string, number>,
  window: number,
  limit: number,
): Promise<MessageRow[]> {
  return sql<MessageRow>`
    select m.* from messaging.messages m
    join jsonb_each_text(${JSON.stringify(positions)}::text::jsonb) p(conversation_id, seq)
      on m.conversation_id = p.conversation_id::uuid and m.seq <= p.seq::bigint and m.seq > p.seq::bigint - ${window}
    join messaging.conversation_members cm on cm.conversation_id = m.conversation_id and cm.user_id = ${userId}
    join messaging.messages seen on seen.conversation_id = m.conversation_id and seen.seq = p.seq::bigint
    where greatest(m.edited_at, m.deleted_at) > seen.created_at
    order by m.conversation_id, m.seq
    limit ${limit}`
    .execute(db)
    .then((r) => r.rows);
}

/** Full-text search over the caller's conversations, newest first, keyset-paginated. */
export function search(
  db: Db,
  userId: string,
  options: { q: string; conversationId?: string; limit: number; before?: string },
): Promise<MessageRow[]> {
  let query = db
    .selectFrom('messaging.messages as m')
    .innerJoin('messaging.conversation_members as cm', (join) =>
      join.onRef('cm.conversation_id', '=', 'm.conversation_id').on('cm.user_id', '=', userId),
    )
    .selectAll('m')
    .where(sql<boolean>`m.search @@ websearch_to_tsquery('english', ${options.q})`)
    .where('m.deleted_at', 'is', null);
  if (options.conversationId) query = query.where('m.conversation_id', '=', options.conversationId);
  if (options.before) {
    query = query.where(
      sql<boolean>`(m.created_at, m.id) < (select b.created_at, b.id from messaging.messages b where b.id = ${options.before})`,
    );
  }
  return query.orderBy('m.created_at', 'desc').orderBy('m.id', 'desc').limit(options.limit).execute();
}

export const reactionRows = (db: Db, messageIds: readonly string[]) =>
  messageIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('messaging.reactions')
        .select(['message_id', 'user_id', 'emoji'])
        .where('message_id', 'in', [...messageIds])
        .orderBy('created_at')
        .orderBy('user_id')
        .execute();

export const attachmentRows = (db: Db, messageIds: readonly string[]) =>
  messageIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('messaging.message_attachments as a')
        .innerJoin('messaging.files as f', 'f.id', 'a.file_id')
        .select(['a.message_id', 'f.id', 'f.name', 'f.size', 'f.mime_type'])
        .where('a.message_id', 'in', [...messageIds])
        .orderBy('a.position')
        .execute();

/** Locks the message row against other reactions until the transaction ends (edits are not blocked). */
export const lockForReactions = (trx: Db, messageId: string) =>
  trx.selectFrom('messaging.messages').select('id').where('id', '=', messageId).forNoKeyUpdate().executeTakeFirst();

/**
 * Adds a reaction unless it would make the message carry more than `maxEmoji` distinct emoji;
 * false when refused for that (an existing emoji, or one already there, always succeeds).
 */
export async function addReactionWithin(db: Db, messageId: string, userId: string, emoji: string, maxEmoji: number): Promise<boolean> {
  const { rows } = await sql<{ allowed: boolean }>`
    with present as (select distinct emoji from messaging.reactions where message_id = ${messageId}),
    allowed as (
      select exists (select 1 from present where emoji = ${emoji}) or (select count(*) from present) < ${maxEmoji} as ok
    ),
    inserted as (
      insert into messaging.reactions (message_id, user_id, emoji)
      select ${messageId}, ${userId}, ${emoji} from allowed where ok
      on conflict do nothing
      returning 1
    )
    select ok as allowed from allowed`.execute(db);
  return rows[0]?.allowed ?? false;
}

export const removeReaction = (db: Db, messageId: string, userId: string, emoji: string) =>
  db
    .deleteFrom('messaging.reactions')
    .where('message_id', '=', messageId)
    .where('user_id', '=', userId)
    .where('emoji', '=', emoji)
    .execute();
