import { createDatabase } from '@flux/server-kit';
import { directKey } from '../src/conversations/service.js';
import type { ConversationRow, Database } from '../src/db/database.js';
import * as conversations from '../src/conversations/repository.js';
import * as users from '../src/users/repository.js';

/** A user as the fixtures need them (a signed-up TestUser fits). */
export interface FixtureUser {
  id: string;
  name: string;
  email: string;
}

/**
 * Database-level fixtures for what a test is not about: rows inserted directly (through the
 * repositories, so they match what the app writes), no HTTP round trip, no events. Sockets
 * connected afterwards see the conversations like any others; ones already open do not (no
 * `conversation:new`), so connect after creating fixtures.
 */
export function messagingFactories(databaseUrl: string) {
  const { db, sql } = createDatabase<Database>(databaseUrl, 2);

  async function conversation(
    type: 'direct' | 'group',
    owner: FixtureUser,
    members: readonly FixtureUser[],
    name?: string,
  ): Promise<ConversationRow> {
    const everyone = [owner, ...members.filter((m) => m.id !== owner.id)];
    for (const user of everyone) await users.insertIfMissing(db, user);
    const other = members[0] ?? owner;
    const row = await conversations.insert(db, {
      type,
      name: name ?? null,
      project_id: null,
      organization_id: null,
      direct_key: type === 'direct' ? directKey(owner.id, other.id) : null,
      created_by: owner.id,
    });
    if (!row) throw new Error('fixture conversation already exists (same direct pair?)');
    await conversations.addMembers(
      db,
      row.id,
      everyone.map((user) => ({ userId: user.id, role: type === 'group' && user.id === owner.id ? 'admin' : 'member' })),
    );
    return row;
  }

  return { db, conversation, close: () => sql.end() };
}
