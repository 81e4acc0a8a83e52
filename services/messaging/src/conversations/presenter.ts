import type { Conversation, ConversationMember } from '@flux/shared';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { hydrate } from '../messages/hydrate.js';
import { iso } from '../messages/mappers.js';
import { listFor, membersOf } from './repository.js';

/** The caller's view of their conversations (all, or the given ids), most recently active first. */
export async function present(db: Kysely<Database>, userId: string, onlyIds?: readonly string[]): Promise<Conversation[]> {
  const rows = await listFor(db, userId, onlyIds);
  if (rows.length === 0) return [];
  const lastIds = rows.map((r) => r.last_message_id).filter((id): id is string => id !== null);
  const [members, lastRows] = await Promise.all([
    membersOf(
      db,
      rows.map((r) => r.id),
    ),
    lastIds.length ? db.selectFrom('messaging.messages').selectAll().where('id', 'in', lastIds).execute() : Promise.resolve([]),
  ]);
  const lastMessages = new Map((await hydrate(db, lastRows)).map((m) => [m.id, m]));
  const membersByConversation = new Map<string, ConversationMember[]>();
  for (const m of members) {
    const list = membersByConversation.get(m.conversation_id) ?? [];
    list.push({
      userId: m.user_id,
      name: m.name ?? '',
      email: m.email ?? '',
      role: m.role,
      lastReadSeq: Number(m.last_read_seq),
      joinedAt: iso(m.joined_at),
    });
    membersByConversation.set(m.conversation_id, list);
  }
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    name: row.name,
    projectId: row.project_id,
    createdBy: row.created_by,
    members: membersByConversation.get(row.id) ?? [],
    lastSeq: Number(row.last_seq),
    unreadCount: row.unread_count,
    lastMessage: row.last_message_id ? (lastMessages.get(row.last_message_id) ?? null) : null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  }));
}

export async function presentOne(db: Kysely<Database>, userId: string, conversationId: string): Promise<Conversation | undefined> {
  return (await present(db, userId, [conversationId]))[0];
}
