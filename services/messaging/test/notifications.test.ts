import { Redis } from 'ioredis';
import type { Notification, Page } from '@flux/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

describe('notifications', () => {
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

  const list = async (user: TestUser, query = '') =>
    (await client(server.url, user).get<Page<Notification>>(`/api/notifications${query}`)).body;

  it('stores a mention for an offline member and lists it later', async () => {
    const [ada, bob, carol] = await users(auth, 'Ada Lovelace', 'Bob', 'Carol');
    const group = await conversation(server.url, ada, 'group', [bob, carol], 'Design');
    const message = await send(server.url, ada, group.id, 'hey @bob, can you look? (not you, carol)');
    const items = await eventually(async () => {
      const page = await list(bob, '?unread=true');
      return page.items.some((n) => n.type === 'mention') && page.items;
    }, 'mention stored');
    const mention = items.find((n) => n.type === 'mention');
    expect(mention).toMatchObject({
      title: 'Ada Lovelace mentioned you in Design',
      body: message.content,
      data: { conversationId: group.id, messageId: message.id, actorId: ada.id },
      readAt: null,
    });
    // Carol was added too, but not mentioned.
    const carols = await eventually(
      async () => (await list(carol)).items.length > 0 && (await list(carol)).items,
      'carol notified of being added',
    );
    expect(carols.map((n) => n.type)).toEqual(['added_to_conversation']);
  });

  it('pushes notification:new live for direct messages and being added', async () => {
    const [ada, bob, carol] = await users(auth, 'Ada', 'Bob', 'Carol');
    const bobSocket = await connect(server.url, bob);
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    const dm = nextEvent(bobSocket, 'notification:new', (n) => n.type === 'direct_message');
    const psst = await send(server.url, ada, chat.id, 'psst');
    expect(await dm).toMatchObject({
      type: 'direct_message',
      title: 'New message from Ada',
      body: 'psst',
      data: { conversationId: chat.id },
    });
    // It went through the BullMQ queue (not the inline fallback used when Redis cannot take the job).
    const redis = new Redis(server.config.redisUrl);
    expect(await redis.exists(`${server.config.redisPrefix}bull:notifications:message_created-${psst.id}`)).toBe(1);
    await redis.quit();

    const group = await conversation(server.url, carol, 'group', [ada]);
    const added = nextEvent(bobSocket, 'notification:new', (n) => n.type === 'added_to_conversation');
    await client(server.url, carol).post(`/api/conversations/${group.id}/members`, { memberIds: [bob.id] });
    expect(await added).toMatchObject({
      title: `Carol added you to a conversation`,
      data: { conversationId: group.id, actorId: carol.id },
    });
    // The sender of a DM is not notified of their own message.
    expect((await list(ada)).items.filter((n) => n.type === 'direct_message')).toEqual([]);
  });

  it('marks one or all as read and paginates', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    for (let i = 0; i < 3; i++) await send(server.url, ada, chat.id, `dm ${i}`);
    await eventually(async () => (await list(bob)).items.length === 3, 'three notifications');
    const first = await list(bob, '?limit=2');
    expect(first.items.map((n) => n.body)).toEqual(['dm 2', 'dm 1']);
    const second = await list(bob, `?limit=2&before=${first.nextCursor}`);
    expect(second).toMatchObject({ items: [{ body: 'dm 0' }], nextCursor: null });

    const read = await client(server.url, bob).post<Notification>(`/api/notifications/${first.items[0]?.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    expect((await list(bob, '?unread=true')).items).toHaveLength(2);
    expect((await client(server.url, ada).post(`/api/notifications/${first.items[0]?.id}/read`)).status).toBe(404);
    expect((await client(server.url, bob).post('/api/notifications/read-all')).body).toEqual({ updated: 2 });
    expect((await list(bob, '?unread=true')).items).toEqual([]);
    expect((await client(server.url, bob).get('/api/notifications?before=garbage')).status).toBe(400);
  });
});
