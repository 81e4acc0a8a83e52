import { randomUUID } from 'node:crypto';
import type { Conversation, ErrorBody, Message, Page, ReadState, SocketAck } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  closeSockets,
  connect,
  conversation,
  emitWithAck,
  people,
  send,
  startAuth,
  startMessaging,
  users,
  type AuthHarness,
  type MessagingServer,
} from './helpers.js';

describe('messages over REST', () => {
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

  it('sends with increasing seq and treats a repeated clientId as the same message', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    const api = client(server.url, ada);
    const clientId = randomUUID();
    const first = await api.post<Message>(`/api/conversations/${chat.id}/messages`, { content: 'hello', clientId });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      seq: 1,
      content: 'hello',
      clientId,
      authorId: ada.id,
      author: { id: ada.id, name: 'Ada' },
      parentId: null,
      replyCount: 0,
      attachments: [],
      reactions: [],
      editedAt: null,
      deletedAt: null,
    });

    const retry = await api.post<Message>(`/api/conversations/${chat.id}/messages`, { content: 'hello', clientId });
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.body.id);
    // Racing retries too.
    const racedId = randomUUID();
    const raced = await Promise.all(
      Array.from({ length: 5 }, () => api.post<Message>(`/api/conversations/${chat.id}/messages`, { content: 'race', clientId: racedId })),
    );
    expect(new Set(raced.map((r) => r.body.id)).size).toBe(1);
    expect(raced.filter((r) => r.status === 201)).toHaveLength(1);

    const next = await send(server.url, bob, chat.id, 'hi back');
    expect(next.seq).toBe(3);
    const page = await api.get<Page<Message>>(`/api/conversations/${chat.id}/messages`);
    expect(page.body.items.map((m) => m.seq)).toEqual([3, 2, 1]);

    // The same clientId in another conversation is a client bug, not a retry.
    const other = await conversation(server.url, ada, 'group', [bob]);
    const reused = await api.post<ErrorBody>(`/api/conversations/${other.id}/messages`, { content: 'hello', clientId });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('client_id_reused');
  });

  it('assigns gap-free seqs to 20 concurrent senders', async () => {
    const [owner, ...senders] = await users(auth, 'Owner', ...Array.from({ length: 19 }, (_, i) => `Sender ${i}`));
    const group = await conversation(server.url, owner, 'group', senders);
    const everyone = [owner, ...senders];
    const sent = await Promise.all(
      everyone.flatMap((user) => [0, 1, 2].map((n) => send(server.url, user, group.id, `from ${user.name} #${n}`))),
    );
    const seqs = sent.map((m) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const listed = await client(server.url, owner).get<Conversation>(`/api/conversations/${group.id}`);
    expect(listed.body.lastSeq).toBe(60);
  });

  it('paginates newest first with a cursor', async () => {
    const ada = await people(auth).user('Ada');
    const notes = await conversation(server.url, ada, 'direct', [ada]);
    for (let i = 1; i <= 7; i++) await send(server.url, ada, notes.id, `note ${i}`);
    const api = client(server.url, ada);
    const first = await api.get<Page<Message>>(`/api/conversations/${notes.id}/messages?limit=3`);
    expect(first.body.items.map((m) => m.content)).toEqual(['note 7', 'note 6', 'note 5']);
    const second = await api.get<Page<Message>>(`/api/conversations/${notes.id}/messages?limit=3&before=${first.body.nextCursor}`);
    expect(second.body.items.map((m) => m.seq)).toEqual([4, 3, 2]);
    const last = await api.get<Page<Message>>(`/api/conversations/${notes.id}/messages?limit=3&before=${second.body.nextCursor}`);
    expect(last.body).toMatchObject({ items: [{ seq: 1 }], nextCursor: null });
    expect((await api.get(`/api/conversations/${notes.id}/messages?limit=500`)).status).toBe(400);
    expect((await api.get<ErrorBody>(`/api/conversations/${notes.id}/messages?before=abc`)).body.error.details).toMatchObject({
      field: 'before',
    });
  });

  it('keeps threads one level deep with reply counts', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const group = await conversation(server.url, ada, 'group', [bob]);
    const root = await send(server.url, ada, group.id, 'root');
    const reply = await send(server.url, bob, group.id, 'reply', { parentId: root.id });
    const nested = await send(server.url, ada, group.id, 'reply to reply', { parentId: reply.id });
    expect(nested.parentId).toBe(root.id);
    const thread = await client(server.url, ada).get<Page<Message>>(`/api/conversations/${group.id}/messages?parentId=${root.id}`);
    expect(thread.body.items.map((m) => m.content)).toEqual(['reply to reply', 'reply']);
    const rootNow = (await client(server.url, ada).get<Page<Message>>(`/api/conversations/${group.id}/messages`)).body.items.find(
      (m) => m.id === root.id,
    );
    expect(rootNow?.replyCount).toBe(2);

    const elsewhere = await conversation(server.url, ada, 'direct', [bob]);
    const wrong = await client(server.url, ada).post<ErrorBody>(`/api/conversations/${elsewhere.id}/messages`, {
      content: 'x',
      clientId: randomUUID(),
      parentId: root.id,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toMatchObject({ field: 'parentId' });

    expect((await client(server.url, bob).delete(`/api/messages/${reply.id}`)).status).toBe(204);
    const after = (await client(server.url, ada).get<Page<Message>>(`/api/conversations/${group.id}/messages`)).body.items.find(
      (m) => m.id === root.id,
    );
    expect(after?.replyCount).toBe(1);
  });

  it('lets only the author edit, and the author or an admin delete (softly)', async () => {
    const [ada, bob, carol] = await users(auth, 'Ada', 'Bob', 'Carol');
    const group = await conversation(server.url, ada, 'group', [bob, carol]);
    const bobs = await send(server.url, bob, group.id, 'typo hree');
    expect((await client(server.url, ada).patch(`/api/messages/${bobs.id}`, { content: 'hijack' })).status).toBe(403);
    const edited = await client(server.url, bob).patch<Message>(`/api/messages/${bobs.id}`, { content: 'typo here' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ content: 'typo here', seq: bobs.seq });
    expect(edited.body.editedAt).not.toBeNull();

    const carols = await send(server.url, carol, group.id, 'carol says');
    expect((await client(server.url, bob).delete(`/api/messages/${carols.id}`)).status).toBe(403);
    expect((await client(server.url, ada).delete(`/api/messages/${carols.id}`)).status).toBe(204); // ada is the group admin
    expect((await client(server.url, carol).delete(`/api/messages/${carols.id}`)).status).toBe(204); // twice is fine
    const listed = (await client(server.url, bob).get<Page<Message>>(`/api/conversations/${group.id}/messages`)).body.items;
    expect(listed.find((m) => m.id === carols.id)).toMatchObject({
      content: '',
      seq: carols.seq,
      deletedAt: expect.any(String),
    });
    expect((await client(server.url, carol).patch(`/api/messages/${carols.id}`, { content: 'back' })).status).toBe(404);

    const outsider = await people(auth).user('Eve');
    expect((await client(server.url, outsider).patch(`/api/messages/${bobs.id}`, { content: 'x' })).status).toBe(404);
    expect((await client(server.url, outsider).delete(`/api/messages/${bobs.id}`)).status).toBe(404);
    expect((await client(server.url, outsider).post(`/api/messages/${bobs.id}/reactions`, { emoji: '👍' })).status).toBe(404);
  });

  it('adds and removes reactions', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    const message = await send(server.url, ada, chat.id, 'react to me');
    await client(server.url, ada).post(`/api/messages/${message.id}/reactions`, { emoji: '👍' });
    await client(server.url, ada).post(`/api/messages/${message.id}/reactions`, { emoji: '👍' }); // idempotent
    const both = await client(server.url, bob).post<Message>(`/api/messages/${message.id}/reactions`, { emoji: '👍' });
    expect(both.body.reactions).toEqual([{ emoji: '👍', count: 2, userIds: [ada.id, bob.id] }]);
    const removed = await client(server.url, ada).delete<Message>(`/api/messages/${message.id}/reactions`, { emoji: '👍' });
    expect(removed.status).toBe(200);
    expect(removed.body.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [bob.id] }]);
    const byQuery = await client(server.url, bob).delete<Message>(
      `/api/messages/${message.id}/reactions?emoji=${encodeURIComponent('👍')}`,
    );
    expect(byQuery.body.reactions).toEqual([]);
    expect((await client(server.url, bob).delete(`/api/messages/${message.id}/reactions`)).status).toBe(400);
  });

  it('moves read positions forward only and recomputes unreadCount', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    for (let i = 0; i < 4; i++) await send(server.url, ada, chat.id, `m${i}`);
    const bobApi = client(server.url, bob);
    expect((await bobApi.get<Conversation>(`/api/conversations/${chat.id}`)).body.unreadCount).toBe(4);
    expect((await bobApi.post(`/api/conversations/${chat.id}/read`, { seq: 3 })).body).toEqual({
      conversationId: chat.id,
      lastReadSeq: 3,
      unreadCount: 1,
    });
    expect((await bobApi.post<ReadState>(`/api/conversations/${chat.id}/read`, { seq: 1 })).body.lastReadSeq).toBe(3);
    expect((await bobApi.post(`/api/conversations/${chat.id}/read`, { seq: 999 })).body).toMatchObject({ lastReadSeq: 4, unreadCount: 0 });
    expect((await bobApi.post(`/api/conversations/${chat.id}/read`, { seq: -1 })).status).toBe(400);
  });

  it('searches full text only in my conversations', async () => {
    const [ada, bob, eve] = await users(auth, 'Ada', 'Bob', 'Eve');
    const word = `zebra${randomUUID().slice(0, 8)}`;
    const ours = await conversation(server.url, ada, 'direct', [bob]);
    const theirs = await conversation(server.url, eve, 'direct', [eve]);
    await send(server.url, ada, ours.id, `the ${word} is running`);
    await send(server.url, ada, ours.id, `two ${word} animals`);
    await send(server.url, eve, theirs.id, `eve's secret ${word}`);
    const deleted = await send(server.url, ada, ours.id, `deleted ${word}`);
    await client(server.url, ada).delete(`/api/messages/${deleted.id}`);

    const found = await client(server.url, bob).get<Page<Message>>(`/api/messages/search?q=${word}&limit=1`);
    expect(found.status).toBe(200);
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0]?.content).toBe(`two ${word} animals`);
    const rest = await client(server.url, bob).get<Page<Message>>(`/api/messages/search?q=${word}&limit=1&before=${found.body.nextCursor}`);
    expect(rest.body.items.map((m) => m.content)).toEqual([`the ${word} is running`]);
    expect(rest.body.nextCursor).toBeNull();
    const eves = await client(server.url, eve).get<Page<Message>>(`/api/messages/search?q=${word}`);
    expect(eves.body.items.map((m) => m.content)).toEqual([`eve's secret ${word}`]);
    // Stemming: "run" finds "running"; operators in the query are not errors.
    expect((await client(server.url, bob).get<Page<Message>>(`/api/messages/search?q=${word} run`)).body.items).toHaveLength(1);
    expect((await client(server.url, bob).get(`/api/messages/search?q=${encodeURIComponent('"unclosed & | !')}`)).status).toBe(200);
    expect((await client(server.url, bob).get('/api/messages/search')).status).toBe(400);
  });

  it('refuses over-long and empty content, and bad bodies, with the envelope', async () => {
    const ada = await people(auth).user('Ada');
    const notes = await conversation(server.url, ada, 'direct', [ada]);
    const api = client(server.url, ada);
    const long = await api.post<ErrorBody>(`/api/conversations/${notes.id}/messages`, {
      content: 'x'.repeat(10_001),
      clientId: randomUUID(),
    });
    expect(long.status).toBe(413);
    expect(long.body.error).toMatchObject({ code: 'message_too_long', details: { maxLength: 10_000 } });
    expect(
      (await api.post(`/api/conversations/${notes.id}/messages`, { content: 'x'.repeat(10_000), clientId: randomUUID() })).status,
    ).toBe(201);
    expect((await api.post(`/api/conversations/${notes.id}/messages`, { content: '   ', clientId: randomUUID() })).status).toBe(400);
    const missing = await api.post<ErrorBody>(`/api/conversations/${notes.id}/messages`, { content: 'hi' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toMatchObject({ field: 'clientId' });
    const edit = await api.patch(`/api/messages/${randomUUID()}`, { content: 'x'.repeat(10_001) });
    expect(edit.status).toBe(404);
  });
});

describe('message rate limit', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  beforeAll(async () => {
    auth = await startAuth();
    server = await startMessaging(auth, { MESSAGE_RATE_LIMIT: '3', MESSAGE_RATE_WINDOW_SECONDS: '60', SOCKET_EVENT_LIMIT: '5' });
  });
  afterAll(async () => {
    closeSockets();
    await server?.close();
    await auth?.close();
  });

  it('limits socket sends the same way, and floods of any event per connection', async () => {
    const ada = await people(auth).user('Ada');
    const notes = await conversation(server.url, ada, 'direct', [ada]);
    const socket = await connect(server.url, ada);
    const answers: SocketAck<{ message: Message }>[] = [];
    for (let i = 0; i < 4; i++)
      answers.push(await emitWithAck(socket, 'message:send', { conversationId: notes.id, content: `m${i}`, clientId: randomUUID() }));
    expect(answers.map((a) => a.ok)).toEqual([true, true, true, false]);
    expect(answers[3]).toMatchObject({ ok: false, error: { code: 'rate_limited', details: { retryAfter: expect.any(Number) } } });
    // Fifth event is still allowed (any kind), the sixth in the window is refused before any work.
    expect((await emitWithAck(socket, 'typing', { conversationId: notes.id, isTyping: false })).ok).toBe(true);
    expect(await emitWithAck(socket, 'sync', { conversations: {} })).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
  });

  it('answers 429 with Retry-After once a user sends too fast; others are unaffected', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(server.url, ada, 'direct', [bob]);
    for (let i = 0; i < 3; i++) await send(server.url, ada, chat.id, `ok ${i}`);
    const limited = await client(server.url, ada).post<ErrorBody>(`/api/conversations/${chat.id}/messages`, {
      content: 'too fast',
      clientId: randomUUID(),
    });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      (await client(server.url, bob).post(`/api/conversations/${chat.id}/messages`, { content: 'me too', clientId: randomUUID() })).status,
    ).toBe(201);
  });
});
