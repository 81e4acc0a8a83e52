import type { Conversation, ConversationMember } from '@flux/shared';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { hydrate } from '../messages/hydrate.js';
import * as messagesRepo from '../messages/repository.js';
import { toConversation, toMember } from './mappers.js';
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
    messagesRepo.findByIds(db, lastIds),
  ]);
  const lastMessages = new Map((await hydrate(db, lastRows)).map((m) => [m.id, m]));
  const membersByConversation = new Map<string, ConversationMember[]>();
  for (const m of members) {
    const list = membersByConversation.get(m.conversation_id) ?? [];
    list.push(toMember(m));
    membersByConversation.set(m.conversation_id, list);
  }
  return rows.map((row) =>
    toConversation(
      row,
      membersByConversation.get(row.id) ?? [],
      row.last_message_id ? (lastMessages.get(row.last_message_id) ?? null) : null,
    ),
  );
}

export async function presentOne(db: Kysely<Database>, userId: string, conversationId: string): Promise<Conversation | undefined> {
  return (await present(db, userId, [conversationId]))[0];
}
