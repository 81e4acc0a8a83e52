import { randomUUID } from 'node:crypto';
import type { Conversation, ErrorBody, Message, ReactionSummary, SocketAck, SocketError } from '@flux/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../../../test/support/http.js';
import { factories as authFactories } from '../../auth/test/factories.js';
import { messagingFactories } from './factories.js';
import {
  client,
  closeSockets,
  connect,
  emitWithAck,
  eventually,
  nextEvent,
  record,
  send,
  startAuth,
  startMessaging,
  type AuthHarness,
  type MessagingServer,
  type TestUser,
} from './helpers.js';

type Reactions = { messageId: string; conversationId: string; reactions: ReactionSummary[] };

/** Emits anything (a payload the contract's types would refuse) and resolves with the refusal it gets. */
async function refused(socket: object, event: string, payload: unknown): Promise<SocketError> {
  // Untyped on purpose: the contract's types would not let these payloads through.
  const ack: SocketAck<unknown> = await (socket as Socket).timeout(10_000).emitWithAck(event, payload);
  if (ack.ok) throw new Error(`expected a refusal, got ${JSON.stringify(ack)}`);
  return ack.error;
}

/** 51 distinct emoji: the smileys block (U+1F600…). */
const EMOJI = Array.from({ length: 51 }, (_, i) => String.fromCodePoint(0x1f600 + i));

describe('abuse caps and consent (messaging)', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  let fixtures: ReturnType<typeof messagingFactories>;
  let people: ReturnType<typeof authFactories>;
  /** Users with live sessions, as rows (this file is not about sign-up). */
  const users = <const Names extends readonly string[]>(...names: Names) =>
    Promise.all(names.map((name) => people.user(name))) as Promise<{ [K in keyof Names]: TestUser }>;
  beforeAll(async () => {
    auth = await startAuth();
    people = authFactories(auth.app.db);
    server = await startMessaging(auth, {
      REACTION_RATE_LIMIT: '60',
      REACTION_RATE_WINDOW_SECONDS: '60',
      EDIT_RATE_LIMIT: '3',
      EDIT_RATE_WINDOW_SECONDS: '60',
      CONVERSATION_RATE_LIMIT: '3',
      SYNC_RATE_LIMIT: '5',
      SYNC_MAX_BYTES: '8192',
      MAX_SOCKETS_PER_USER: '2',
      MAX_SOCKETS_PER_IP: '3',
    });
    fixtures = messagingFactories(server.config.databaseUrl);
  });
  afterEach(() => closeSockets());
  afterAll(async () => {
    await fixtures?.close();
    await server?.close();
    await auth?.close();
  });

  /** Users who share one organization (the consent rule needs that for a conversation). */
  async function colleagues<const Names extends readonly string[]>(...names: Names) {
    const made = await users(...names);
    const org = await people.organization(made[0]);
    for (const user of made.slice(1)) await people.member(org.id, user, 'member');
    return made;
  }

  describe('reactions', () => {
    it('caps a message at 50 distinct emoji (409 too_many_reactions); existing ones can still be added', async () => {
      const [ada, bob] = await users('Ada', 'Bob');
      const chat = await fixtures.conversation('group', ada, [bob]);
      const message = await send(server.url, ada, chat.id, 'react to me');
      const api = client(server.url, ada);
      for (const emoji of EMOJI.slice(0, 50)) {
        expect((await api.post(`/api/messages/${message.id}/reactions`, { emoji })).status).toBe(200);
      }
      const refusedNew = await client(server.url, bob).post<ErrorBody>(`/api/messages/${message.id}/reactions`, { emoji: EMOJI[50] });
      expect(refusedNew.status).toBe(409);
      expect(refusedNew.body.error.code).toBe('too_many_reactions');
      const joined = await client(server.url, bob).post<Reactions>(`/api/messages/${message.id}/reactions`, { emoji: EMOJI[0] });
      expect(joined.status).toBe(200);
      expect(joined.body.reactions).toHaveLength(50);
      expect(joined.body.reactions[0]).toEqual({ emoji: EMOJI[0], count: 2, userIds: [ada.id, bob.id] });
    });

    it('accepts one emoji (modifiers, ZWJ sequences, flags) and refuses text with 400 validation_error', async () => {
      const [ada] = await users('Ada');
      const chat = await fixtures.conversation('group', ada, []);
      const message = await send(server.url, ada, chat.id, 'emoji only');
      const api = client(server.url, ada);
      for (const emoji of ['👍🏽', '👩‍💻', '🇫🇷'])
        expect((await api.post(`/api/messages/${message.id}/reactions`, { emoji })).status).toBe(200);
      for (const emoji of ['lol', '<img src=x>', '👍👍', '\u200B', 'ab'.repeat(16)]) {
        const answer = await api.post<ErrorBody>(`/api/messages/${message.id}/reactions`, { emoji });
        expect(answer.status, emoji).toBe(400);
        expect(answer.body.error).toMatchObject({ code: 'validation_error', details: { field: 'emoji' } });
      }
    });

    it('rate-limits reactions per user: 429 rate_limited with Retry-After', async () => {
      const [ada] = await users('Ada');
      const chat = await fixtures.conversation('group', ada, []);
      const message = await send(server.url, ada, chat.id, 'toggle me');
      const api = client(server.url, ada);
      for (let i = 0; i < 60; i++) {
        const answer =
          i % 2 === 0
            ? await api.post(`/api/messages/${message.id}/reactions`, { emoji: '👍' })
            : await api.delete(`/api/messages/${message.id}/reactions`, { emoji: '👍' });
        expect(answer.status).toBe(200);
      }
      const flood = await httpClient(server.url, { token: ada.accessToken }).post<ErrorBody>(`/api/messages/${message.id}/reactions`, {
        emoji: '👍',
      });
      expect(flood.status).toBe(429);
      expect(flood.body.error.code).toBe('rate_limited');
      expect(Number(flood.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('broadcasts only the changed emoji, with count 0 once nobody uses it', async () => {
      const [ada, bob] = await users('Ada', 'Bob');
      const chat = await fixtures.conversation('group', ada, [bob]);
      const message = await send(server.url, ada, chat.id, 'busy message');
      await client(server.url, bob).post(`/api/messages/${message.id}/reactions`, { emoji: '👍' });
      const bobSocket = await connect(server.url, bob);

      const added = nextEvent(bobSocket, 'reaction:updated');
      await client(server.url, ada).post(`/api/messages/${message.id}/reactions`, { emoji: '🎉' });
      expect(await added).toEqual({
        messageId: message.id,
        conversationId: chat.id,
        reaction: { emoji: '🎉', count: 1, userIds: [ada.id] },
      });

      const removed = nextEvent(bobSocket, 'reaction:updated');
      await client(server.url, ada).delete(`/api/messages/${message.id}/reactions`, { emoji: '🎉' });
      expect(await removed).toEqual({ messageId: message.id, conversationId: chat.id, reaction: { emoji: '🎉', count: 0, userIds: [] } });
    });
  });

  it('rate-limits edits per user: 429 rate_limited with Retry-After', async () => {
    const [ada] = await users('Ada');
    const chat = await fixtures.conversation('group', ada, []);
    const message = await send(server.url, ada, chat.id, 'draft');
    const api = httpClient(server.url, { token: ada.accessToken });
    for (let i = 0; i < 3; i++) expect((await api.patch(`/api/messages/${message.id}`, { content: `draft ${i}` })).status).toBe(200);
    const flood = await api.patch<ErrorBody>(`/api/messages/${message.id}`, { content: 'one more' });
    expect(flood.status).toBe(429);
    expect(flood.body.error.code).toBe('rate_limited');
    expect(Number(flood.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('rate-limits creating conversations per user: 429 rate_limited with Retry-After', async () => {
    const [ada] = await users('Ada');
    const api = httpClient(server.url, { token: ada.accessToken });
    for (let i = 0; i < 3; i++) expect((await api.post('/api/conversations', { type: 'group', name: `room ${i}` })).status).toBe(201);
    const flood = await api.post<ErrorBody>('/api/conversations', { type: 'group', name: 'one too many' });
    expect(flood.status).toBe(429);
    expect(flood.body.error.code).toBe('rate_limited');
    expect(Number(flood.headers.get('retry-after'))).toBeGreaterThan(0);
    const mine = await api.get<{ items: Conversation[] }>('/api/conversations');
    expect(mine.body.items).toHaveLength(3);
  });

  describe('consent: conversations only with people who share an organization', () => {
    it('refuses a direct or group conversation with an outsider, or an unknown id, alike: 403 no_shared_organization', async () => {
      const [ada, bob] = await colleagues('Ada', 'Bob');
      const [eve] = await users('Eve');
      const api = client(server.url, ada);
      const outsider = await api.post<ErrorBody>('/api/conversations', { type: 'direct', memberIds: [eve.id] });
      const nobody = await api.post<ErrorBody>('/api/conversations', { type: 'direct', memberIds: [randomUUID()] });
      for (const answer of [outsider, nobody]) {
        expect(answer.status).toBe(403);
        expect(answer.body.error.code).toBe('no_shared_organization');
      }
      // Nothing tells an existing account from a made-up id.
      expect(nobody.body.error.message).toBe(outsider.body.error.message);
      const group = await api.post<ErrorBody>('/api/conversations', { type: 'group', memberIds: [bob.id, eve.id] });
      expect(group.status).toBe(403);
      expect(group.body.error.code).toBe('no_shared_organization');
      expect((await api.get<{ items: Conversation[] }>('/api/conversations')).body.items).toEqual([]);

      expect((await api.post('/api/conversations', { type: 'direct', memberIds: [bob.id] })).status).toBe(201);
    });

    it('refuses adding an outsider to a group, and the outsider never hears presence or read receipts', async () => {
      const [ada, bob] = await colleagues('Ada', 'Bob');
      const [eve] = await users('Eve');
      const created = await client(server.url, ada).post<Conversation>('/api/conversations', { type: 'group', memberIds: [bob.id] });
      expect(created.status).toBe(201);
      const added = await client(server.url, ada).post<ErrorBody>(`/api/conversations/${created.body.id}/members`, { memberIds: [eve.id] });
      expect(added.status).toBe(403);
      expect(added.body.error.code).toBe('no_shared_organization');
      // Eve tries the other way round, to watch Ada.
      expect((await client(server.url, eve).post('/api/conversations', { type: 'direct', memberIds: [ada.id] })).status).toBe(403);

      const eveSocket = await connect(server.url, eve);
      const presence = record(eveSocket, 'presence');
      const reads = record(eveSocket, 'read');
      const bobSocket = await connect(server.url, bob);
      const bobHeardAda = nextEvent(bobSocket, 'presence', (p) => p.userId === ada.id);
      await connect(server.url, ada);
      await bobHeardAda;
      const message = await send(server.url, bob, created.body.id, 'hello ada');
      const bobHeardRead = nextEvent(bobSocket, 'read', (r) => r.userId === ada.id);
      await client(server.url, ada).post(`/api/conversations/${created.body.id}/read`, { seq: message.seq });
      await bobHeardRead;
      expect(presence).toEqual([]);
      expect(reads).toEqual([]);
    });
  });

  describe('bad input is a 400, never a 500', () => {
    it('refuses seq 1e30 on POST /read and on socket message:read and sync', async () => {
      const [ada] = await users('Ada');
      const chat = await fixtures.conversation('group', ada, []);
      const http = httpClient(server.url, { token: ada.accessToken });
      const read = await http.post<ErrorBody>(`/api/conversations/${chat.id}/read`, undefined, {
        raw: '{"seq":1e30}',
        headers: { 'content-type': 'application/json' },
      });
      expect(read.status).toBe(400);
      expect(read.body.error).toMatchObject({ code: 'validation_error', details: { field: 'seq' } });

      const socket = await connect(server.url, ada);
      expect(await refused(socket, 'message:read', { conversationId: chat.id, seq: 1e30 })).toMatchObject({
        code: 'validation_error',
        details: { field: 'seq' },
      });
      expect(await refused(socket, 'sync', { conversations: { [chat.id]: 1e30 } })).toMatchObject({ code: 'validation_error' });
      // The socket is still served.
      expect((await emitWithAck(socket, 'message:read', { conversationId: chat.id, seq: 0 })).ok).toBe(true);
    });

    it('refuses crafted cursors and limits on every list route with 400 in the error shape', async () => {
      const [ada] = await users('Ada');
      const chat = await fixtures.conversation('group', ada, []);
      await send(server.url, ada, chat.id, 'something to page through');
      const http = httpClient(server.url, { token: ada.accessToken });
      const routes = [`/api/conversations/${chat.id}/messages?`, '/api/messages/search?q=page&', '/api/notifications?'];
      const crafted = [
        'before=garbage',
        'before=',
        `before=${'9'.repeat(40)}`,
        'before=1e30',
        'before=-1',
        'before=%00',
        `before=${Buffer.from('not-a-uuid').toString('base64url')}`,
        `before=${'A'.repeat(5000)}`,
        'before=1&before=2',
        'limit=1e30',
        'limit=-5',
        'limit=ten',
      ];
      for (const route of routes) {
        for (const query of crafted) {
          const answer = await http.get<ErrorBody>(route + query);
          expect(answer.status, `${route}${query.slice(0, 40)}`).toBe(400);
          expect(answer.body.error.code).toBe('validation_error');
        }
      }
    });
  });

  describe('sync', () => {
    it('stops an answer at SYNC_MAX_BYTES with hasMore, and the rest comes with the next sync', async () => {
      const [ada] = await users('Ada');
      const chat = await fixtures.conversation('group', ada, []);
      for (let i = 1; i <= 20; i++) await send(server.url, ada, chat.id, `${i} ${'x'.repeat(1000)}`);
      const socket = await connect(server.url, ada);

      const seen: Message[] = [];
      let position = 0;
      let answers = 0;
      for (;;) {
        const ack = await emitWithAck(socket, 'sync', { conversations: { [chat.id]: position } });
        if (!ack.ok) throw new Error(JSON.stringify(ack.error));
        answers++;
        expect(Buffer.byteLength(JSON.stringify(ack.messages))).toBeLessThanOrEqual(8192);
        seen.push(...ack.messages);
        position = ack.messages.at(-1)?.seq ?? position;
        if (!ack.hasMore) break;
        expect(ack.messages.length).toBeGreaterThan(0);
      }
      expect(answers).toBeGreaterThan(1);
      expect(seen.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('sends a message larger than the budget on its own, then the rest', async () => {
      const [ada] = await users('Ada');
      const chat = await fixtures.conversation('group', ada, []);
      await send(server.url, ada, chat.id, 'x'.repeat(9000));
      await send(server.url, ada, chat.id, 'small one');
      await send(server.url, ada, chat.id, 'small two');
      const socket = await connect(server.url, ada);
      const first = await emitWithAck(socket, 'sync', { conversations: { [chat.id]: 0 } });
      if (!first.ok) throw new Error(JSON.stringify(first.error));
      expect(first.messages.map((m) => m.seq)).toEqual([1]);
      expect(first.hasMore).toBe(true);
      const rest = await emitWithAck(socket, 'sync', { conversations: { [chat.id]: 1 } });
      if (!rest.ok) throw new Error(JSON.stringify(rest.error));
      expect(rest.messages.map((m) => m.content)).toEqual(['small one', 'small two']);
      expect(rest.hasMore).toBe(false);
    });

    it('rate-limits sync per user: a rate_limited ack with retryAfter', async () => {
      const [ada] = await users('Ada');
      const socket = await connect(server.url, ada);
      for (let i = 0; i < 5; i++) expect((await emitWithAck(socket, 'sync', { conversations: {} })).ok).toBe(true);
      expect(await refused(socket, 'sync', { conversations: {} })).toMatchObject({
        code: 'rate_limited',
        details: { retryAfter: expect.any(Number) },
      });
    });
  });

  describe('sockets', () => {
    /** Resolves with the connect_error message, or 'connected'. */
    function attempt(user: TestUser, headers: Record<string, string> = {}): Promise<string> {
      const socket = io(server.url, {
        path: '/socket.io/',
        transports: ['websocket'],
        auth: { token: user.accessToken },
        extraHeaders: headers,
        reconnection: false,
        forceNew: true,
      });
      return new Promise((resolve) => {
        socket.once('connect', () => {
          socket.disconnect();
          resolve('connected');
        });
        socket.once('connect_error', (err) => {
          socket.close();
          resolve(err.message);
        });
      });
    }

    it('refuses a user a socket beyond MAX_SOCKETS_PER_USER with too_many_connections, and frees the place on disconnect', async () => {
      const [ada] = await users('Ada');
      const first = await connect(server.url, ada);
      await connect(server.url, ada);
      expect(await attempt(ada)).toBe('too_many_connections');
      first.disconnect();
      await eventually(async () => (await attempt(ada)) === 'connected', 'a place freed by the disconnect');
    });

    it('refuses a client address a socket beyond MAX_SOCKETS_PER_IP, whoever signs in', async () => {
      const people4 = await users('P1', 'P2', 'P3', 'P4');
      const address = { 'x-forwarded-for': '203.0.113.7' };
      for (const user of people4.slice(0, 3)) await connect(server.url, user, { extraHeaders: address });
      expect(await attempt(people4[3], address)).toBe('too_many_connections');
      // Another address is not affected.
      expect(await attempt(people4[3], { 'x-forwarded-for': '203.0.113.8' })).toBe('connected');
    });
  });
});
