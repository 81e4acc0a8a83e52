import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Message, Page } from '@flux/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  acked,
  client,
  closeSockets,
  connect,
  conversation,
  emitRaw,
  emitWithAck,
  eventually,
  nextEvent,
  people,
  record,
  refused,
  send,
  startAuth,
  startMessaging,
  users,
  type AuthHarness,
  type MessagingServer,
} from './helpers.js';
import { messagingFactories } from './factories.js';

describe('Socket.IO', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  let fixtures: ReturnType<typeof messagingFactories>;
  beforeAll(async () => {
    auth = await startAuth();
    server = await startMessaging(auth, { TYPING_THROTTLE_MS: '60000' });
    fixtures = messagingFactories(server.config.databaseUrl);
  });
  afterEach(() => closeSockets());
  afterAll(async () => {
    await fixtures?.close();
    await server?.close();
    await auth?.close();
  });

  it('refuses a missing or bad token with connect_error "unauthorized"', async () => {
    for (const auth of [{}, { token: 'garbage' }, { token: 42 }]) {
      const socket = io(server.url, { path: '/socket.io/', transports: ['websocket'], auth, reconnection: false, forceNew: true });
      const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
      expect(error.message).toBe('unauthorized');
      socket.close();
    }
  });

  it('acks message:send after commit, delivers to members and nothing to outsiders', async () => {
    const [ada, bob, eve] = await users(auth, 'Ada', 'Bob', 'Eve');
    // Fixtures, not under test here: created before anyone connects.
    const chat = await fixtures.conversation('direct', ada, [bob]);
    const evesNotes = await fixtures.conversation('direct', eve, [eve]);
    const [adaSocket, bobSocket, eveSocket] = await Promise.all([
      connect(server.url, ada),
      connect(server.url, bob),
      connect(server.url, eve),
    ]);
    const eveSaw = record(eveSocket, 'message:new');

    const delivered = nextEvent(bobSocket, 'message:new');
    const clientId = randomUUID();
    const ack = acked(await emitWithAck(adaSocket, 'message:send', { conversationId: chat.id, content: 'hello bob', clientId }));
    expect(ack).toMatchObject({ ok: true, message: { conversationId: chat.id, seq: 1, content: 'hello bob', clientId, authorId: ada.id } });
    // Durable before the ack: it is already in PostgreSQL.
    const stored = await client(server.url, bob).get<Page<Message>>(`/api/conversations/${chat.id}/messages`);
    expect(stored.body.items[0]?.id).toBe(ack.message.id);
    expect((await delivered).id).toBe(ack.message.id);

    // A retry with the same clientId answers with the same message and broadcasts nothing new.
    const bobSaw = record(bobSocket, 'message:new');
    const retry = acked(await emitWithAck(adaSocket, 'message:send', { conversationId: chat.id, content: 'hello bob', clientId }));
    expect(retry.message.id).toBe(ack.message.id);

    // A message over REST is broadcast the same way.
    const restDelivered = nextEvent(bobSocket, 'message:new', (m) => m.content === 'over rest');
    await send(server.url, ada, chat.id, 'over rest');
    expect((await restDelivered).seq).toBe(2);
    expect(bobSaw.map((m) => m.content)).toEqual(['over rest']);

    // Eve's own message arrives; ada's never did.
    const own = nextEvent(eveSocket, 'message:new');
    await emitWithAck(eveSocket, 'message:send', { conversationId: evesNotes.id, content: 'note to self', clientId: randomUUID() });
    await own;
    expect(eveSaw.map((m) => m.content)).toEqual(['note to self']);
    const denied = await emitWithAck(eveSocket, 'message:send', { conversationId: chat.id, content: 'let me in', clientId: randomUUID() });
    expect(denied).toEqual({ ok: false, error: { code: 'not_found', message: 'Conversation not found.' } });
  });

  it('pushes edits, deletions, reactions, reads and new conversations', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const bobSocket = await connect(server.url, bob);
    const created = nextEvent(bobSocket, 'conversation:new');
    const group = await conversation(server.url, ada, 'group', [bob], 'Fresh');
    expect(await created).toMatchObject({ id: group.id, name: 'Fresh', type: 'group' });
    // Bob's open socket joined the new room: he gets its messages without reconnecting.
    const first = nextEvent(bobSocket, 'message:new');
    const message = await send(server.url, ada, group.id, 'first');
    expect((await first).id).toBe(message.id);

    const updated = nextEvent(bobSocket, 'message:updated');
    await client(server.url, ada).patch(`/api/messages/${message.id}`, { content: 'first (edited)' });
    expect(await updated).toMatchObject({ id: message.id, content: 'first (edited)' });

    const reacted = nextEvent(bobSocket, 'reaction:updated');
    await client(server.url, ada).post(`/api/messages/${message.id}/reactions`, { emoji: '🎉' });
    expect(await reacted).toEqual({
      messageId: message.id,
      conversationId: group.id,
      reaction: { emoji: '🎉', count: 1, userIds: [ada.id] },
    });

    const adaSocket = await connect(server.url, ada);
    const read = nextEvent(adaSocket, 'read');
    const readAck = await emitWithAck(bobSocket, 'message:read', { conversationId: group.id, seq: 1 });
    expect(readAck).toMatchObject({ ok: true, lastReadSeq: 1, unreadCount: 0 });
    expect(await read).toEqual({ conversationId: group.id, userId: bob.id, seq: 1 });

    const deleted = nextEvent(bobSocket, 'message:deleted');
    await client(server.url, ada).delete(`/api/messages/${message.id}`);
    expect(await deleted).toMatchObject({ id: message.id, conversationId: group.id, seq: 1, deletedAt: expect.any(String) });

    // Removed from the group: told so, and its room is left at once.
    const removed = nextEvent(bobSocket, 'conversation:removed');
    expect((await client(server.url, ada).delete(`/api/conversations/${group.id}/members/${bob.id}`)).status).toBe(204);
    expect(await removed).toEqual({ id: group.id });
    const bobSaw = record(bobSocket, 'message:new');
    const notes = await conversation(server.url, bob, 'direct', [bob]);
    await send(server.url, ada, group.id, 'after bob left');
    const own = nextEvent(bobSocket, 'message:new');
    await send(server.url, bob, notes.id, 'my own note');
    await own;
    expect(bobSaw.map((m) => m.content)).toEqual(['my own note']);
  });

  it('relays typing to the others, throttled', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    const [adaSocket, bobSocket] = await Promise.all([connect(server.url, ada), connect(server.url, bob)]);
    const bobSaw = record(bobSocket, 'typing');
    const adaSaw = record(adaSocket, 'typing');
    expect(await emitWithAck(adaSocket, 'typing', { conversationId: chat.id, isTyping: true })).toEqual({ ok: true });
    expect(await emitWithAck(adaSocket, 'typing', { conversationId: chat.id, isTyping: true })).toEqual({ ok: true, throttled: true });
    const stopped = nextEvent(bobSocket, 'typing', (t) => !t.isTyping);
    adaSocket.emit('typing', { conversationId: chat.id, isTyping: false }); // no ack is fine too
    await stopped;
    expect(bobSaw).toEqual([
      { conversationId: chat.id, userId: ada.id, isTyping: true },
      { conversationId: chat.id, userId: ada.id, isTyping: false },
    ]);
    expect(adaSaw).toEqual([]);
    const elsewhere = await emitWithAck(adaSocket, 'typing', { conversationId: randomUUID(), isTyping: true });
    expect(refused(elsewhere).code).toBe('not_found');
  });

  it('sync replays what a client missed while disconnected, only from its conversations', async () => {
    const [ada, bob, eve] = await users(auth, 'Ada', 'Bob', 'Eve');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    const group = await conversation(server.url, ada, 'group', [bob]);
    const seen = await send(server.url, ada, chat.id, 'seen before');
    let bobSocket = await connect(server.url, bob);
    bobSocket.disconnect();
    for (const text of ['missed 1', 'missed 2', 'missed 3']) await send(server.url, ada, chat.id, text);
    await client(server.url, ada).patch(`/api/messages/${seen.id}`, { content: 'seen before, edited while away' });
    await send(server.url, ada, group.id, 'group missed');

    bobSocket = await connect(server.url, bob);
    const answer = acked(await emitWithAck(bobSocket, 'sync', { conversations: { [chat.id]: 1, [group.id]: 0, 'not-a-uuid': 3 } }));
    expect(answer.ok).toBe(true);
    expect(answer.hasMore).toBe(false);
    const byConversation = (id: string) =>
      answer.messages.filter((m: { conversationId: string }) => m.conversationId === id).map((m) => [m.seq, m.content]);
    expect(byConversation(chat.id)).toEqual([
      [2, 'missed 1'],
      [3, 'missed 2'],
      [4, 'missed 3'],
    ]);
    expect(byConversation(group.id)).toEqual([[1, 'group missed']]);
    // Edits of messages the client already had come separately.
    expect(answer.updated.map((m) => [m.id, m.content])).toEqual([[seen.id, 'seen before, edited while away']]);

    const eveSocket = await connect(server.url, eve);
    expect(await emitWithAck(eveSocket, 'sync', { conversations: { [chat.id]: 0 } })).toEqual({
      ok: true,
      messages: [],
      hasMore: false,
      updated: [],
    });
  });

  it('tracks presence across tabs and tells people who share a conversation', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    await conversation(server.url, ada, 'direct', [bob]);
    const adaSocket = await connect(server.url, ada);
    const saw = record(adaSocket, 'presence');
    const online = nextEvent(adaSocket, 'presence', (p) => p.userId === bob.id);
    const bobTab1 = await connect(server.url, bob);
    expect(await online).toEqual({ userId: bob.id, status: 'online' });
    // A newcomer hears who is already online.
    const bobTab2 = await connect(server.url, bob);
    expect(await nextEvent(bobTab2, 'presence', (p) => p.userId === ada.id)).toEqual({ userId: ada.id, status: 'online' });
    bobTab1.disconnect();
    // Wait until the server recorded that tab's departure: one live socket left in Redis.
    const redis = new Redis(server.config.redisUrl);
    await eventually(async () => (await redis.zcard(`${server.config.redisPrefix}presence:${bob.id}`)) === 1, 'first tab gone');
    await redis.quit();
    expect(saw.filter((p) => p.userId === bob.id && p.status === 'offline')).toEqual([]);
    const offline = nextEvent(adaSocket, 'presence', (p) => p.userId === bob.id && p.status === 'offline');
    bobTab2.disconnect();
    await offline;
    // Ada may hear "online" twice (her own arrival raced with Bob's), but never "offline" early.
    expect(saw.filter((p) => p.userId === bob.id).at(-1)).toEqual({ userId: bob.id, status: 'offline' });
    expect(saw.filter((p) => p.userId === bob.id && p.status === 'offline')).toHaveLength(1);
  });

  it('answers malformed events with error acks and keeps the socket working', async () => {
    const ada = await people(auth).user('Ada');
    const notes = await conversation(server.url, ada, 'direct', [ada]);
    const socket = await connect(server.url, ada);
    const bad = async (event: string, ...args: unknown[]) => refused(await emitRaw(socket, event, ...args));

    expect(await bad('message:send', {})).toMatchObject({ code: 'validation_error', details: { field: 'conversationId' } });
    expect((await bad('message:send', 'just a string')).code).toBe('validation_error');
    expect((await bad('message:send')).code).toBe('validation_error');
    expect((await bad('message:send', { conversationId: notes.id, content: 'x', clientId: 7 })).details).toMatchObject({
      field: 'clientId',
    });
    expect((await bad('message:send', { conversationId: notes.id, content: 'x'.repeat(10_001), clientId: randomUUID() })).code).toBe(
      'message_too_long',
    );
    // Text PostgreSQL cannot store: refused as bad input (was internal_error).
    expect((await bad('message:send', { conversationId: notes.id, content: 'a\u0000b', clientId: randomUUID() })).code).toBe('bad_request');
    expect((await bad('message:send', { conversationId: notes.id, content: 'x', clientId: 'c\u0000' })).code).toBe('bad_request');
    expect((await bad('typing', { conversationId: notes.id })).details).toMatchObject({ field: 'isTyping' });
    expect((await bad('message:read', { conversationId: notes.id, seq: -4 })).details).toMatchObject({ field: 'seq' });
    expect((await bad('sync', { conversations: [] })).code).toBe('validation_error');
    expect((await bad('sync', null)).code).toBe('validation_error');
    const untyped = socket as unknown as Socket; // what no typed client can send
    untyped.emit('message:send', { nonsense: true }); // no ack: ignored, no crash
    untyped.emit('unknown:event', 1, 2, 3);

    const ok = await emitWithAck(socket, 'message:send', { conversationId: notes.id, content: 'still here', clientId: randomUUID() });
    expect(ok).toMatchObject({ ok: true, message: { content: 'still here' } });
  });
});

describe('two messaging instances', () => {
  let auth: AuthHarness;
  let one: MessagingServer;
  let two: MessagingServer;
  beforeAll(async () => {
    auth = await startAuth();
    // A prefix of their own: instances of other test files (same run prefix) would otherwise join
    // the same Socket.IO cluster and make "the other instance is listening" ambiguous.
    const env = { REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'flux-test:'}pair-${randomUUID()}:` };
    [one, two] = await Promise.all([startMessaging(auth, env), startMessaging(auth, env)]);
  });
  afterEach(() => closeSockets());
  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await auth?.close();
  });

  it('share broadcasts through Redis: a message sent to A reaches sockets on B', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(one.url, ada, 'direct', [bob]);
    const adaSocket = await connect(one.url, ada);
    // Both instances read the shared stream once each has heard the other's heartbeat.
    await eventually(
      async () => (await one.app.io.of('/').adapter.serverCount()) === 2 && (await two.app.io.of('/').adapter.serverCount()) === 2,
      'instances see each other',
    );
    // Presence crosses instances too.
    const bobOnline = nextEvent(adaSocket, 'presence', (p) => p.userId === bob.id);
    const bobSocket = await connect(two.url, bob);
    expect(await bobOnline).toEqual({ userId: bob.id, status: 'online' });

    const overSocket = nextEvent(bobSocket, 'message:new');
    const ack = acked(
      await emitWithAck(adaSocket, 'message:send', {
        conversationId: chat.id,
        content: 'across instances',
        clientId: randomUUID(),
      }),
    );
    expect((await overSocket).id).toBe(ack.message.id);

    const overRest = nextEvent(adaSocket, 'message:new', (m) => m.content === 'rest on B');
    await send(two.url, bob, chat.id, 'rest on B');
    expect((await overRest).authorId).toBe(bob.id);

    // A conversation created on B joins ada's socket on A to its room.
    const created = nextEvent(adaSocket, 'conversation:new');
    const group = await conversation(two.url, bob, 'group', [ada]);
    expect((await created).id).toBe(group.id);
    const inGroup = nextEvent(adaSocket, 'message:new', (m) => m.conversationId === group.id);
    await send(two.url, bob, group.id, 'group on B');
    expect((await inGroup).content).toBe('group on B');
  });
});
