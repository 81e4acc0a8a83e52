import { randomUUID } from 'node:crypto';
import { createDatabase } from '@flux/server-kit';
import type { Conversation, Message } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import {
  type AuthHarness,
  client,
  closeSockets,
  connect,
  conversation,
  emitWithAck,
  type MessagingServer,
  send,
  startAuth,
  startMessaging,
  type TestUser,
  users,
} from './helpers.js';

/**
 * The send and read checks keep members' rows in memory (30 s by default): every change must reach
 * them before that — at once on the instance that made it, and on the others when its announcement
 * arrives (well within the 10 s `eventually` allows, so a cache that waited for its time bound fails).
 */
describe('membership cache', () => {
  let auth: AuthHarness;
  let one: MessagingServer;
  let other: MessagingServer;
  beforeAll(async () => {
    auth = await startAuth();
    one = await startMessaging(auth, { MEMBERSHIP_CACHE_MS: '30000' });
    other = await startMessaging(auth, { MEMBERSHIP_CACHE_MS: '30000' });
  });
  afterAll(async () => {
    closeSockets();
    await one?.close();
    await other?.close();
    await auth?.close();
  });

  const post = (server: MessagingServer, user: TestUser, conversationId: string) =>
    client(server.url, user).post<Message>(`/api/conversations/${conversationId}/messages`, { content: 'hi', clientId: randomUUID() });
  const history = (server: MessagingServer, user: TestUser, conversationId: string) =>
    client(server.url, user).get(`/api/conversations/${conversationId}/messages`);

  /** A group where Bob has just sent and read on both instances, so both hold his membership. */
  async function groupWithBob() {
    const [ada, bob, carol] = await users(auth, 'Ada', 'Bob', 'Carol');
    const group = await conversation(one.url, ada, 'group', [bob, carol]);
    for (const server of [one, other]) {
      await send(server.url, bob, group.id, 'hello');
      expect((await history(server, bob, group.id)).status).toBe(200);
    }
    return { ada, bob, carol, group };
  }

  it('a member removed through the API can neither send nor read right after, on the instance that removed them', async () => {
    const { ada, bob, group } = await groupWithBob();
    const socket = await connect(one.url, bob);
    expect((await client(one.url, ada).delete(`/api/conversations/${group.id}/members/${bob.id}`)).status).toBe(204);

    expect((await post(one, bob, group.id)).status).toBe(404);
    expect((await history(one, bob, group.id)).status).toBe(404);
    expect((await client(one.url, bob).get(`/api/conversations/${group.id}`)).status).toBe(404);
    expect(
      await emitWithAck(socket, 'message:send', { conversationId: group.id, content: 'still here?', clientId: randomUUID() }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('a member who leaves can neither send nor read on the other instance as soon as it hears of it', async () => {
    const { bob, group } = await groupWithBob();
    expect((await client(one.url, bob).delete(`/api/conversations/${group.id}/members/${bob.id}`)).status).toBe(204);

    await eventually(async () => (await post(other, bob, group.id)).status === 404, { what: 'the other instance refused the send' });
    expect((await history(other, bob, group.id)).status).toBe(404);
  });

  it('a member promoted by a removal on one instance acts as admin on the other', async () => {
    const [ada, bob, dan] = await users(auth, 'Ada', 'Bob', 'Dan');
    const group = await conversation(one.url, ada, 'group', [bob]);
    // The other instance holds Bob as a plain member.
    await send(other.url, bob, group.id, 'hello');
    expect((await client(other.url, bob).post(`/api/conversations/${group.id}/members`, { memberIds: [dan.id] })).status).toBe(403);
    // Ada, the only admin, leaves: Bob, the only one left, takes over.
    expect((await client(one.url, ada).delete(`/api/conversations/${group.id}/members/${ada.id}`)).status).toBe(204);
    await eventually(
      async () => (await client(other.url, bob).post(`/api/conversations/${group.id}/members`, { memberIds: [dan.id] })).status === 200,
      { what: 'the other instance knew Bob as admin' },
    );
  });

  it('someone added is a member at once everywhere (non-members are never cached)', async () => {
    const [ada, bob, dan] = await users(auth, 'Ada', 'Bob', 'Dan');
    const group = await conversation(one.url, ada, 'group', [bob]);
    expect((await post(other, dan, group.id)).status).toBe(404);
    expect((await client(one.url, ada).post(`/api/conversations/${group.id}/members`, { memberIds: [dan.id] })).status).toBe(200);
    expect((await post(other, dan, group.id)).status).toBe(201);
  });

  it('a project member removed from the organization can no longer send, on any instance, once the event arrives', async () => {
    const [owner, member] = await users(auth, 'Owner', 'Member');
    const project = await auth.createProject(owner);
    await auth.addMember(owner, project.organizationId, member, 'member');
    const created = await client(one.url, owner).post<Conversation>('/api/conversations', { type: 'project', projectId: project.id });
    expect(created.status).toBe(201);
    for (const server of [one, other]) expect((await post(server, member, created.body.id)).status).toBe(201);

    await auth.removeMember(owner, project.organizationId, member);
    for (const server of [one, other])
      await eventually(async () => (await post(server, member, created.body.id)).status === 404, { what: 'the send was refused' });
  });

  it('a change no instance announced (made behind its back) holds within MEMBERSHIP_CACHE_MS', async () => {
    const short = await startMessaging(auth, { MEMBERSHIP_CACHE_MS: '300' });
    try {
      const [ada, bob] = await users(auth, 'Ada', 'Bob');
      const group = await conversation(short.url, ada, 'group', [bob]);
      expect((await post(short, bob, group.id)).status).toBe(201);
      const { sql } = createDatabase(short.config.databaseUrl, 1);
      await sql`delete from messaging.conversation_members where conversation_id = ${group.id} and user_id = ${bob.id}`;
      await sql.end();
      await eventually(async () => (await post(short, bob, group.id)).status === 404, { what: 'the send was refused', timeout: 3000 });
    } finally {
      await short.close();
    }
  });
});
