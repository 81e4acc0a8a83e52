import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.js';

const PASSWORD = `Flux-${randomUUID().slice(0, 8)}-correct-horse-battery`;

interface User {
  id: string;
  name: string;
  accessToken: string;
}

/** Messaging end to end: built services as processes, every call and socket through nginx. */
describe('messaging through the gateway', () => {
  let stack: Stack;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  afterAll(() => stack?.stop());

  const api = async (method: string, path: string, user?: User, body?: unknown) => {
    const response = await fetch(stack.url + path, {
      method,
      headers: {
        ...(user && { authorization: `Bearer ${user.accessToken}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
  };
  const signup = async (name: string): Promise<User> => {
    const answer = await api('POST', '/api/auth/signup', undefined, {
      email: `e2e-${randomUUID()}@test.flux.local`,
      password: PASSWORD,
      name,
    });
    expect(answer.status).toBe(201);
    return { id: answer.body.user.id, name, accessToken: answer.body.accessToken };
  };
  const connect = async (user: User, options: Record<string, unknown> = {}) => {
    const socket = io(stack.url, {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: { token: user.accessToken },
      forceNew: true,
      reconnection: false,
      ...options,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };
  const next = <T = any>(socket: Socket, event: string, matches: (payload: T) => boolean = () => true) =>
    new Promise<T>((resolve) => {
      const listener = (payload: T) => {
        if (!matches(payload)) return;
        socket.off(event, listener);
        resolve(payload);
      };
      socket.on(event, listener);
    });

  it('two sockets exchange messages through nginx; the outsider gets nothing', async () => {
    const [ada, bob, eve] = await Promise.all([signup('Ada'), signup('Bob'), signup('Eve')]);
    const chat = await api('POST', '/api/conversations', ada, { type: 'direct', memberIds: [bob.id] });
    expect(chat.status).toBe(201);
    const [adaSocket, bobSocket, eveSocket] = await Promise.all([connect(ada), connect(bob), connect(eve)]);
    const eveSaw: unknown[] = [];
    eveSocket.on('message:new', (m) => eveSaw.push(m));

    const toBob = next(bobSocket, 'message:new');
    const ack = await adaSocket
      .timeout(10_000)
      .emitWithAck('message:send', { conversationId: chat.body.id, content: 'hi Bob', clientId: randomUUID() });
    expect(ack).toMatchObject({ ok: true, message: { seq: 1, content: 'hi Bob', authorId: ada.id } });
    expect(await toBob).toMatchObject({ id: ack.message.id, content: 'hi Bob' });

    const toAda = next(adaSocket, 'message:new', (m) => m.authorId === bob.id);
    const reply = await bobSocket
      .timeout(10_000)
      .emitWithAck('message:send', { conversationId: chat.body.id, content: 'hi Ada', clientId: randomUUID() });
    expect((await toAda).seq).toBe(2);
    expect(reply.message.seq).toBe(2);

    const evesNotes = await api('POST', '/api/conversations', eve, { type: 'direct', memberIds: [eve.id] });
    const own = next(eveSocket, 'message:new');
    await eveSocket
      .timeout(10_000)
      .emitWithAck('message:send', { conversationId: evesNotes.body.id, content: 'mine', clientId: randomUUID() });
    await own;
    expect(eveSaw).toHaveLength(1);
    expect((await api('GET', `/api/conversations/${chat.body.id}/messages`, eve)).status).toBe(404);

    const bad = io(stack.url, {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: { token: 'nope' },
      forceNew: true,
      reconnection: false,
    });
    sockets.push(bad);
    expect((await new Promise<Error>((resolve) => bad.once('connect_error', resolve))).message).toBe('unauthorized');
  });

  it('sync replays what was missed across a restart of the service, and acked messages survive a crash', async () => {
    const [ada, bob] = await Promise.all([signup('Ada'), signup('Bob')]);
    const chat = (await api('POST', '/api/conversations', ada, { type: 'direct', memberIds: [bob.id] })).body;
    const bobSocket = await connect(bob, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500 });
    const live = next(bobSocket, 'message:new');
    const adaSocket = await connect(ada);
    const acked = await adaSocket
      .timeout(10_000)
      .emitWithAck('message:send', { conversationId: chat.id, content: 'before restart', clientId: randomUUID() });
    expect((await live).seq).toBe(1);
    const lastSeen = 1;

    await stack.restartService('messaging');
    for (const text of ['while you were away 1', 'while you were away 2']) {
      expect((await api('POST', `/api/conversations/${chat.id}/messages`, ada, { content: text, clientId: randomUUID() })).status).toBe(
        201,
      );
    }
    if (!bobSocket.connected) await new Promise<void>((resolve) => bobSocket.once('connect', () => resolve()));
    const synced = await bobSocket.timeout(10_000).emitWithAck('sync', { conversations: { [chat.id]: lastSeen } });
    expect(synced.messages.map((m: { seq: number; content: string }) => [m.seq, m.content])).toEqual([
      [2, 'while you were away 1'],
      [3, 'while you were away 2'],
    ]);

    // A crash (SIGKILL) loses nothing that was acknowledged.
    await stack.restartService('messaging', 'SIGKILL');
    const history = await api('GET', `/api/conversations/${chat.id}/messages`, bob);
    expect(history.body.items.map((m: { id: string }) => m.id)).toContain(acked.message.id);
    expect(history.body.items.map((m: { seq: number }) => m.seq)).toEqual([3, 2, 1]);
  });

  it('uploads and downloads a file through nginx', async () => {
    const [ada, bob] = await Promise.all([signup('Ada'), signup('Bob')]);
    const form = new FormData();
    form.append('file', new File(['hello through nginx'], 'hello.txt'));
    const uploaded = await fetch(`${stack.url}/api/files`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${ada.accessToken}` },
    });
    expect(uploaded.status).toBe(201);
    const file = (await uploaded.json()) as { id: string; url: string };
    const chat = (await api('POST', '/api/conversations', ada, { type: 'direct', memberIds: [bob.id] })).body;
    await api('POST', `/api/conversations/${chat.id}/messages`, ada, {
      content: 'attached',
      clientId: randomUUID(),
      attachments: [file.id],
    });
    const got = await fetch(stack.url + file.url, { headers: { authorization: `Bearer ${bob.accessToken}` } });
    expect(got.status).toBe(200);
    // nginx adds its own nosniff on top of the service's.
    expect(got.headers.get('x-content-type-options')).toMatch(/^nosniff/);
    expect(await got.text()).toBe('hello through nginx');
  });
});
