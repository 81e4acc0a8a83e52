import { createDatabase } from '@flux/server-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, ErrorBody, Page } from '@flux/shared';
import type { Database } from '../src/db/database.js';
import {
  client,
  conversation,
  eventually,
  people,
  send,
  startAuth,
  startMessaging,
  users,
  type AuthHarness,
  type MessagingServer,
} from './helpers.js';

describe('conversations', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  beforeAll(async () => {
    auth = await startAuth();
    server = await startMessaging(auth);
  });
  afterAll(async () => {
    await server?.close();
    await auth?.close();
  });

  it('answers health on both paths and counts messages in /metrics', async () => {
    for (const path of ['/health', '/api/messages/health/']) {
      const health = await client(server.url, undefined).get(path);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: 'ok',
        service: 'messaging',
        checks: { db: 'ok', redis: 'ok' },
        connections: expect.any(Number),
      });
    }
    const ada = await people(auth).user('Ada');
    await send(server.url, ada, (await conversation(server.url, ada, 'direct', [ada])).id, 'counted');
    const metrics = (await client(server.url, undefined).get<string>('/metrics')).body;
    expect(metrics).toMatch(/messaging_messages_sent_total\{via="rest",service="messaging"\} [1-9]/);
    expect(metrics).toContain('messaging_socket_connections');
  });

  it('requires a valid token', async () => {
    expect((await client(server.url, undefined).get('/api/conversations')).status).toBe(401);
    const forged = await client(server.url, { accessToken: 'not-a-jwt' }).get<ErrorBody>('/api/conversations');
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('invalid_token');
  });

  it('returns the same direct conversation for a pair, from either side', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const first = await client(server.url, ada).post<Conversation>('/api/conversations', { type: 'direct', memberIds: [bob.id] });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ type: 'direct', unreadCount: 0, lastMessage: null, lastSeq: 0 });
    expect(first.body.members.map((m) => m.userId).sort()).toEqual([ada.id, bob.id].sort());
    expect(first.body.members.find((m) => m.userId === bob.id)?.name).toBe('Bob');

    const again = await client(server.url, ada).post<Conversation>('/api/conversations', { type: 'direct', memberIds: [bob.id] });
    const reverse = await client(server.url, bob).post<Conversation>('/api/conversations', { type: 'direct', memberIds: [ada.id] });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(reverse.body.id).toBe(first.body.id);

    // Racing creations still give one conversation.
    const [carol, dan] = await users(auth, 'Carol', 'Dan');
    const raced = await Promise.all(
      Array.from({ length: 5 }, () =>
        client(server.url, carol).post<Conversation>('/api/conversations', { type: 'direct', memberIds: [dan.id] }),
      ),
    );
    expect(new Set(raced.map((r) => r.body.id)).size).toBe(1);
  });

  it('validates input with the error envelope', async () => {
    const ada = await people(auth).user();
    const api = client(server.url, ada);
    const badType = await api.post<ErrorBody>('/api/conversations', { type: 'channel' });
    expect(badType.status).toBe(400);
    expect(badType.body.error).toMatchObject({ code: 'validation_error', details: { field: 'type' } });
    const tooMany = await api.post<ErrorBody>('/api/conversations', {
      type: 'direct',
      memberIds: [crypto.randomUUID(), crypto.randomUUID()],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details).toMatchObject({ field: 'memberIds' });
    // An unknown id is refused like a stranger (test/abuse.test.ts has the consent rule itself).
    const unknown = await api.post<ErrorBody>('/api/conversations', { type: 'group', memberIds: [crypto.randomUUID()] });
    expect(unknown.status).toBe(403);
    expect(unknown.body.error).toMatchObject({ code: 'no_shared_organization', details: { field: 'memberIds' } });
    const noProject = await api.post<ErrorBody>('/api/conversations', { type: 'project' });
    expect(noProject.body.error.details).toMatchObject({ field: 'projectId' });
    expect((await api.get('/api/conversations/not-a-uuid')).status).toBe(400);
  });

  it('lists mine with unreadCount and lastMessage; outsiders get 404', async () => {
    const [ada, bob, eve] = await users(auth, 'Ada', 'Bob', 'Eve');
    const group = await conversation(server.url, ada, 'group', [bob], 'Team');
    await send(server.url, ada, group.id, 'one');
    await send(server.url, ada, group.id, 'two');
    const mine = await send(server.url, bob, group.id, 'three from bob');

    await send(server.url, ada, group.id, 'four');
    const bobs = await client(server.url, bob).get<Page<Conversation>>('/api/conversations');
    expect(bobs.status).toBe(200);
    expect(bobs.body.nextCursor).toBeNull();
    // Posting marked the earlier ones read for Bob: only "four" is unread.
    const seen = bobs.body.items.find((c) => c.id === group.id);
    expect(seen).toMatchObject({
      name: 'Team',
      type: 'group',
      unreadCount: 1,
      lastSeq: 4,
      lastMessage: { seq: 4, content: 'four', author: { id: ada.id, name: 'Ada' } },
    });
    expect(seen?.members.find((m) => m.userId === bob.id)?.lastReadSeq).toBe(mine.seq);

    const adas = await client(server.url, ada).get<Conversation>(`/api/conversations/${group.id}`);
    expect(adas.body.unreadCount).toBe(0);

    const eves = await client(server.url, eve).get<Page<Conversation>>('/api/conversations');
    expect(eves.body.items.some((c) => c.id === group.id)).toBe(false);
    expect((await client(server.url, eve).get(`/api/conversations/${group.id}`)).status).toBe(404);
    expect((await client(server.url, eve).get(`/api/conversations/${group.id}/messages`)).status).toBe(404);
    expect((await client(server.url, eve).post(`/api/conversations/${group.id}/messages`, { content: 'hi', clientId: 'x' })).status).toBe(
      404,
    );
  });

  it("shows names from auth's user.updated events, not from older tokens", async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    const renamed = await client(auth.url, ada).patch('/api/auth/me', { name: 'Ada King' });
    expect(renamed.status).toBe(200);
    const nameOfAda = async () =>
      (await client(server.url, ada).get<Conversation>(`/api/conversations/${chat.id}`)).body.members.find((m) => m.userId === ada.id)
        ?.name;
    // Ada's token still says "Ada"; her own requests must not undo the event.
    await eventually(async () => (await nameOfAda()) === 'Ada King', 'name updated from the event');
    expect(await nameOfAda()).toBe('Ada King');
  });

  it('lets group admins add and remove members, and anyone leave', async () => {
    const [ada, bob, carol] = await users(auth, 'Ada', 'Bob', 'Carol');
    const group = await conversation(server.url, ada, 'group', [bob]);
    expect((await client(server.url, bob).post(`/api/conversations/${group.id}/members`, { memberIds: [carol.id] })).status).toBe(403);
    const added = await client(server.url, ada).post<Conversation>(`/api/conversations/${group.id}/members`, { memberIds: [carol.id] });
    expect(added.status).toBe(200);
    expect(added.body.members).toHaveLength(3);
    expect((await client(server.url, carol).get(`/api/conversations/${group.id}`)).status).toBe(200);

    expect((await client(server.url, bob).delete(`/api/conversations/${group.id}/members/${carol.id}`)).status).toBe(403);
    expect((await client(server.url, ada).delete(`/api/conversations/${group.id}/members/${carol.id}`)).status).toBe(204);
    expect((await client(server.url, carol).get(`/api/conversations/${group.id}`)).status).toBe(404);
    expect((await client(server.url, bob).delete(`/api/conversations/${group.id}/members/${bob.id}`)).status).toBe(204);
    expect((await client(server.url, bob).get(`/api/conversations/${group.id}`)).status).toBe(404);

    const direct = await conversation(server.url, ada, 'direct', [bob]);
    expect((await client(server.url, ada).post(`/api/conversations/${direct.id}/members`, { memberIds: [carol.id] })).status).toBe(409);
  });

  it('project conversations follow the project membership', async () => {
    const [owner, member, guest, outsider, late] = await users(auth, 'Owner', 'Member', 'Guest', 'Outsider', 'Late');
    const project = await auth.createProject(owner);
    await auth.addMember(owner, project.organizationId, member, 'member');
    await auth.addMember(owner, project.organizationId, guest, 'guest');

    expect((await client(server.url, outsider).post('/api/conversations', { type: 'project', projectId: project.id })).status).toBe(404);
    const created = await client(server.url, member).post<Conversation>('/api/conversations', {
      type: 'project',
      projectId: project.id,
      name: 'general',
    });
    expect(created.status).toBe(201);
    const roles = Object.fromEntries(created.body.members.map((m) => [m.userId, m.role]));
    expect(roles).toEqual({ [owner.id]: 'admin', [member.id]: 'member', [guest.id]: 'member' });
    const again = await client(server.url, owner).post<Conversation>('/api/conversations', { type: 'project', projectId: project.id });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect((await client(server.url, outsider).get(`/api/conversations/${created.body.id}`)).status).toBe(404);

    // Joining the organization later: membership.changed adds them.
    await auth.addMember(owner, project.organizationId, late, 'member');
    await eventually(
      async () =>
        (await client(server.url, late).get<Page<Conversation>>('/api/conversations')).body.items.some((c) => c.id === created.body.id),
      'late member added',
    );

    // A missed event (simulated by dropping the row): first use puts them back, checked with auth.
    const { db, sql } = createDatabase<Database>(server.config.databaseUrl, 1);
    await db
      .deleteFrom('messaging.conversation_members')
      .where('conversation_id', '=', created.body.id)
      .where('user_id', '=', late.id)
      .execute();
    await sql.end();
    expect((await client(server.url, late).get(`/api/conversations/${created.body.id}/messages`)).status).toBe(200);
    expect(
      (await client(server.url, late).get<Page<Conversation>>('/api/conversations')).body.items.some((c) => c.id === created.body.id),
    ).toBe(true);

    // Removed from the organization: out of the channel at once.
    await auth.removeMember(owner, project.organizationId, member);
    await eventually(
      async () => (await client(server.url, member).get(`/api/conversations/${created.body.id}`)).status === 404,
      'member removed',
    );
  });
});
