import { randomUUID } from 'node:crypto';
import type { Message, Page } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeReplica } from '../../../test/support/replica.js';
import { client, conversation, send, startAuth, startMessaging, users, type AuthHarness, type MessagingServer } from './helpers.js';

/**
 * DATABASE_REPLICA_URL: history pages and search read from the replica. The "replica" is a second
 * database whose copy of the message says something else, so each answer shows where it came from.
 */
describe('messaging reads from the read replica', () => {
  let auth: AuthHarness;
  let replica: FakeReplica;
  let withReplica: MessagingServer;
  let primaryOnly: MessagingServer;
  let ada: Awaited<ReturnType<typeof users>>[0];
  let conversationId: string;
  const word = `replicaword${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const primaryUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test';
    replica = await FakeReplica.create(primaryUrl);
    auth = await startAuth();
    withReplica = await startMessaging(auth, { DATABASE_REPLICA_URL: replica.url });
    primaryOnly = await startMessaging(auth);
    const [first, bob] = await users(auth, 'Ada', 'Bob');
    ada = first;
    const chat = await conversation(withReplica.url, ada, 'direct', [bob]);
    conversationId = chat.id;
    await send(withReplica.url, ada, conversationId, 'written on the primary');
    for (const user of [ada, bob]) await replica.copy('messaging.users', 'id', user.id);
    await replica.copy('messaging.conversations', 'id', conversationId);
    await replica.copy('messaging.conversation_members', 'conversation_id', conversationId);
    expect(await replica.copy('messaging.messages', 'conversation_id', conversationId, { generated: ['search'] })).toBe(1);
    await replica.sql`update messaging.messages set content = ${`served by the ${word}`} where conversation_id = ${conversationId}`;
  });
  afterAll(async () => {
    await withReplica?.close();
    await primaryOnly?.close();
    await auth?.close();
    await replica?.end();
  });

  it('serves a history page from the replica, and from the primary without the setting', async () => {
    const path = `/api/conversations/${conversationId}/messages`;
    const fromReplica = await client(withReplica.url, ada).get<Page<Message>>(path);
    expect(fromReplica.status).toBe(200);
    expect(fromReplica.body.items.map((m) => m.content)).toEqual([`served by the ${word}`]);
    const fromPrimary = await client(primaryOnly.url, ada).get<Page<Message>>(path);
    expect(fromPrimary.body.items.map((m) => m.content)).toEqual(['written on the primary']);
  });

  it('searches the replica: a word only the replica has is found there, not on the primary', async () => {
    const path = `/api/messages/search?q=${word}&conversationId=${conversationId}`;
    const fromReplica = await client(withReplica.url, ada).get<Page<Message>>(path);
    expect(fromReplica.status).toBe(200);
    expect(fromReplica.body.items.map((m) => m.content)).toEqual([`served by the ${word}`]);
    const fromPrimary = await client(primaryOnly.url, ada).get<Page<Message>>(path);
    expect(fromPrimary.body.items).toEqual([]);
  });
});
