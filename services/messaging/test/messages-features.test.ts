import type { Conversation, ErrorBody, Notification, Page, Pin } from '@flux/shared';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../../../test/support/http.js';
import {
  client,
  closeSockets,
  connect,
  conversation,
  eventually,
  nextEvent,
  send,
  startAuth,
  startMessaging,
  users,
  type AuthHarness,
  type MessagingServer,
  type TestUser,
} from './helpers.js';

/** Issue 14 item 2: rename and members of groups, mute and archive per member, pins per conversation. */
describe('messages features', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  beforeAll(async () => {
    auth = await startAuth();
    server = await startMessaging(auth);
  });
  afterEach(() => closeSockets());
  afterAll(async () => {
    await server?.close();
    await auth?.close();
  });

  const put = <T>(user: TestUser, path: string, body?: unknown) => httpClient(server.url, { token: user.accessToken }).put<T>(path, body);
  const settings = (user: TestUser, id: string, body: { muted?: boolean; archived?: boolean }) =>
    put<Conversation>(user, `/api/conversations/${id}/settings`, body);
  const mine = async (user: TestUser, id: string) =>
    (await client(server.url, user).get<Page<Conversation>>('/api/conversations')).body.items.find((c) => c.id === id);
  const notifications = async (user: TestUser) => (await client(server.url, user).get<Page<Notification>>('/api/notifications')).body.items;

  it('renames a group for every member live; direct conversations cannot be renamed', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const group = await conversation(server.url, ada, 'group', [bob], 'Design');
    const bobSocket = await connect(server.url, bob);
    const heard = nextEvent(bobSocket, 'conversation:updated', (e) => e.id === group.id);
    // Any member renames (Bob is not the admin).
    const renamed = await client(server.url, bob).patch<Conversation>(`/api/conversations/${group.id}`, { name: '  Launch  ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Launch');
    expect(await heard).toEqual({ id: group.id, name: 'Launch' });
    expect((await mine(ada, group.id))?.name).toBe('Launch');

    const direct = await conversation(server.url, ada, 'direct', [bob]);
    const refused = await client(server.url, ada).patch<ErrorBody>(`/api/conversations/${direct.id}`, { name: 'x' });
    expect(refused.status).toBe(409);
    const [outsider] = await users(auth, 'Eve');
    expect((await client(server.url, outsider).patch(`/api/conversations/${group.id}`, { name: 'x' })).status).toBe(404);
    expect((await client(server.url, ada).patch(`/api/conversations/${group.id}`, { name: 'x'.repeat(101) })).status).toBe(400);
    // An empty name clears it (the group is then titled by its members).
    expect((await client(server.url, ada).patch<Conversation>(`/api/conversations/${group.id}`, { name: '' })).body.name).toBeNull();
  });

  it('tells the room who its members are after an add, a removal and a leave; a group left without admin gets one', async () => {
    const [ada, bob, carol] = await users(auth, 'Ada', 'Bob', 'Carol');
    const group = await conversation(server.url, ada, 'group', [bob], 'Crew');
    const bobSocket = await connect(server.url, bob);
    const afterAdd = nextEvent(bobSocket, 'conversation:updated', (e) => e.members?.length === 3);
    expect((await client(server.url, ada).post(`/api/conversations/${group.id}/members`, { memberIds: [carol.id] })).status).toBe(200);
    expect((await afterAdd).members?.map((m) => m.userId).sort()).toEqual([ada.id, bob.id, carol.id].sort());

    const afterRemove = nextEvent(bobSocket, 'conversation:updated', (e) => e.members?.length === 2);
    expect((await client(server.url, ada).delete(`/api/conversations/${group.id}/members/${carol.id}`)).status).toBe(204);
    expect((await afterRemove).members?.map((m) => m.userId).sort()).toEqual([ada.id, bob.id].sort());

    // The only admin leaves: Bob, who joined first after her, becomes admin and hears it.
    const afterLeave = nextEvent(bobSocket, 'conversation:updated', (e) => e.members?.length === 1);
    expect((await client(server.url, ada).delete(`/api/conversations/${group.id}/members/${ada.id}`)).status).toBe(204);
    expect((await afterLeave).members).toMatchObject([{ userId: bob.id, role: 'admin' }]);
    expect((await client(server.url, ada).get(`/api/conversations/${group.id}`)).status).toBe(404);
    expect((await client(server.url, bob).post(`/api/conversations/${group.id}/members`, { memberIds: [carol.id] })).status).toBe(200);
  });

  it('archives per member, and a new message brings the conversation back unless it is muted', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    const bobTab = await connect(server.url, bob);
    const otherTab = nextEvent(bobTab, 'conversation:updated', (e) => e.id === chat.id);
    const archived = await settings(bob, chat.id, { archived: true });
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ archived: true, muted: false });
    expect(await otherTab).toEqual({ id: chat.id, archived: true, muted: false });
    // Ada's view is hers.
    expect(await mine(ada, chat.id)).toMatchObject({ archived: false, muted: false });

    await send(server.url, ada, chat.id, 'are you there?');
    expect(await mine(bob, chat.id)).toMatchObject({ archived: false, unreadCount: 1 });
    // Muting now does not send it back to the archive the message already undid.
    expect((await settings(bob, chat.id, { muted: true })).body).toMatchObject({ archived: false, muted: true });
    expect((await settings(bob, chat.id, { muted: false })).body).toMatchObject({ archived: false, muted: false });

    // Muted and archived: it stays archived whatever arrives.
    expect((await settings(bob, chat.id, { archived: true, muted: true })).body).toMatchObject({ archived: true, muted: true });
    await send(server.url, ada, chat.id, 'hello?');
    expect(await mine(bob, chat.id)).toMatchObject({ archived: true, muted: true, unreadCount: 2 });
    expect((await settings(bob, chat.id, { archived: false })).body).toMatchObject({ archived: false, muted: true });

    expect((await put<ErrorBody>(bob, `/api/conversations/${chat.id}/settings`, {})).status).toBe(400);
    const [eve] = await users(auth, 'Eve');
    expect((await settings(eve, chat.id, { muted: true })).status).toBe(404);
  });

  it('mutes per member: no direct-message notification, and in a group only a mention by name gets through', async () => {
    const [ada, bob, carol] = await users(auth, 'Ada', 'Bob', 'Carol');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    expect((await settings(bob, chat.id, { muted: true })).body.muted).toBe(true);
    const quiet = await send(server.url, ada, chat.id, 'quiet one');
    // The job ran (BullMQ recorded its end) and made nothing for Bob.
    const redis = new Redis(server.config.redisUrl);
    try {
      await eventually(
        async () => (await redis.hget(`${server.config.redisPrefix}bull:notifications:message_created-${quiet.id}`, 'finishedOn')) !== null,
        'the notification job of the muted message finished',
      );
    } finally {
      await redis.quit();
    }
    expect((await notifications(bob)).filter((n) => n.data.messageId === quiet.id)).toEqual([]);

    const group = await conversation(server.url, ada, 'group', [bob, carol], 'Studio');
    await settings(bob, group.id, { muted: true });
    const everyone = await send(server.url, ada, group.id, '@all standup in 5');
    // Carol (not muted) is told: the same job would have told Bob.
    await eventually(async () => (await notifications(carol)).some((n) => n.data.messageId === everyone.id), 'carol mentioned by @all');
    expect((await notifications(bob)).filter((n) => n.data.messageId === everyone.id)).toEqual([]);
    const byName = await send(server.url, ada, group.id, '@bob can you check?');
    await eventually(async () => (await notifications(bob)).some((n) => n.data.messageId === byName.id), 'bob mentioned by name');
  });

  it('pins and unpins messages, live for the room, listed newest first; deleted messages drop out', async () => {
    const [ada, bob, eve] = await users(auth, 'Ada', 'Bob', 'Eve');
    const group = await conversation(server.url, ada, 'group', [bob], 'Pins');
    const first = await send(server.url, ada, group.id, 'the brief is **here**');
    const second = await send(server.url, bob, group.id, 'deadline friday');
    const adaSocket = await connect(server.url, ada);

    const pinned = nextEvent(adaSocket, 'message:pinned', (p) => p.messageId === first.id);
    const answer = await put<Pin>(bob, `/api/messages/${first.id}/pin`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      conversationId: group.id,
      messageId: first.id,
      pinnedBy: bob.id,
      message: { content: first.content },
    });
    expect(await pinned).toMatchObject({ messageId: first.id, pinnedBy: bob.id });
    // Pinning again keeps the first pin.
    expect((await put<Pin>(ada, `/api/messages/${first.id}/pin`)).body).toMatchObject({ pinnedBy: bob.id, pinnedAt: answer.body.pinnedAt });
    await put(ada, `/api/messages/${second.id}/pin`);

    const list = async () => (await client(server.url, ada).get<Page<Pin>>(`/api/conversations/${group.id}/pins`)).body.items;
    expect((await list()).map((p) => p.messageId)).toEqual([second.id, first.id]);

    const unpinned = nextEvent(adaSocket, 'message:unpinned', (p) => p.messageId === second.id);
    expect((await client(server.url, bob).delete(`/api/messages/${second.id}/pin`)).status).toBe(204);
    expect(await unpinned).toEqual({ conversationId: group.id, messageId: second.id });
    expect((await client(server.url, bob).delete(`/api/messages/${second.id}/pin`)).status).toBe(204);

    expect((await client(server.url, ada).delete(`/api/messages/${first.id}`)).status).toBe(204);
    expect(await list()).toEqual([]);
    expect((await put(ada, `/api/messages/${first.id}/pin`)).status).toBe(404);

    // Outsiders learn nothing.
    expect((await put(eve, `/api/messages/${second.id}/pin`)).status).toBe(404);
    expect((await client(server.url, eve).get(`/api/conversations/${group.id}/pins`)).status).toBe(404);
  });

  it('counts pins and unpins as reactions and renames as edits (429 past the limit)', async () => {
    const limited = await startMessaging(auth, { REACTION_RATE_LIMIT: '2', EDIT_RATE_LIMIT: '1' });
    try {
      const [ada, bob] = await users(auth, 'Ada', 'Bob');
      const group = await conversation(limited.url, ada, 'group', [bob], 'Busy');
      const message = await send(limited.url, ada, group.id, 'pin me');
      const pin = (method: 'PUT' | 'DELETE') =>
        httpClient(limited.url, { token: ada.accessToken }).request(method, `/api/messages/${message.id}/pin`);
      expect((await pin('PUT')).status).toBe(200);
      expect((await pin('DELETE')).status).toBe(204);
      const flood = await pin('PUT');
      expect(flood.status).toBe(429);
      expect(flood.headers.get('retry-after')).toMatch(/^[0-9]+$/);
      const rename = (name: string) => client(limited.url, ada).patch(`/api/conversations/${group.id}`, { name });
      expect((await rename('Calm')).status).toBe(200);
      expect((await rename('Calmer')).status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('holds at most 100 pins per conversation (409 for one more)', async () => {
    const [ada] = await users(auth, 'Ada');
    const notepad = await conversation(server.url, ada, 'direct', [ada]);
    const last = await send(server.url, ada, notepad.id, 'one too many');
    // 100 pinned messages as fixtures (the rule is under test, not the way they were pinned).
    await sql`
      with made as (
        insert into messaging.messages (conversation_id, seq, sender_id, client_id, content)
        select ${notepad.id}, 1000 + n, ${ada.id}, 'pin-fixture-' || n, 'pinned ' || n from generate_series(1, 100) n
        returning id
      )
      insert into messaging.pins (message_id, conversation_id, pinned_by) select id, ${notepad.id}, ${ada.id} from made`.execute(
      server.app.db,
    );
    const refused = await put<ErrorBody>(ada, `/api/messages/${last.id}/pin`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/at most 100 pins/);
    expect((await client(server.url, ada).get<Page<Pin>>(`/api/conversations/${notepad.id}/pins`)).body.items).toHaveLength(100);
  });
});
