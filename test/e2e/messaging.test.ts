import { randomUUID } from 'node:crypto';
import type {
  AuthTokens,
  ClientToServerEvents,
  Conversation,
  FileInfo,
  Message,
  Page,
  ServerToClientEvents,
  SocketAck,
  SyncResult,
} from '@flux/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../support/http.js';
import { inviteAndAccept } from '../support/invitations.js';
import { startStack, type Stack } from './stack.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const PASSWORD = `Flux-${randomUUID().slice(0, 8)}-correct-horse-battery`;

interface User {
  id: string;
  name: string;
  email: string;
  accessToken: string;
}

/** Messaging end to end: built services as processes, every call and socket through nginx. */
describe('messaging through the gateway', () => {
  let stack: Stack;
  const sockets: ClientSocket[] = [];
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  afterAll(() => stack?.stop());

  /** JSON through nginx as `user` (or anonymous). */
  const api = (user?: User) => httpClient(stack.url, { token: user?.accessToken });
  const signup = async (name: string): Promise<User> => {
    const answer = await api().post<AuthTokens>('/api/auth/signup', {
      email: `e2e-${randomUUID()}@test.flux.local`,
      password: PASSWORD,
      name,
    });
    expect(answer.status).toBe(201);
    return { id: answer.body.user.id, name, email: answer.body.user.email, accessToken: answer.body.accessToken };
  };
  /** A direct conversation needs a shared organization: the first one makes it, the others join by invitation. */
  const colleagues = async (owner: User, ...others: User[]): Promise<void> => {
    const org = await api(owner).post<{ id: string }>('/api/organizations', { name: `E2E ${randomUUID().slice(0, 8)}` });
    expect(org.status).toBe(201);
    for (const other of others) await inviteAndAccept(api(), owner, org.body.id, other, 'member');
  };
  const connect = async (user: User, options: Record<string, unknown> = {}) => {
    const socket: ClientSocket = io(stack.url, {
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
  const next = (socket: ClientSocket, matches: (message: Message) => boolean = () => true) =>
    new Promise<Message>((resolve) => {
      const listener = (message: Message) => {
        if (!matches(message)) return;
        socket.off('message:new', listener);
        resolve(message);
      };
      socket.on('message:new', listener);
    });
  /** The ack of a message:send, which must be a success. */
  const sent = async (socket: ClientSocket, conversationId: string, content: string) => {
    const ack: SocketAck<{ message: Message }> = await socket
      .timeout(10_000)
      .emitWithAck('message:send', { conversationId, content, clientId: randomUUID() });
    expect(ack).toMatchObject({ ok: true, message: { content } });
    if (!ack.ok) throw new Error(ack.error.message);
    return ack.message;
  };

  it('two sockets exchange messages through nginx; the outsider gets nothing', async () => {
    const [ada, bob, eve] = await Promise.all([signup('Ada'), signup('Bob'), signup('Eve')]);
    await colleagues(ada, bob);
    const chat = await api(ada).post<Conversation>('/api/conversations', { type: 'direct', memberIds: [bob.id] });
    expect(chat.status).toBe(201);
    const [adaSocket, bobSocket, eveSocket] = await Promise.all([connect(ada), connect(bob), connect(eve)]);
    const eveSaw: Message[] = [];
    eveSocket.on('message:new', (m) => eveSaw.push(m));

    const toBob = next(bobSocket);
    const toBobAck = await sent(adaSocket, chat.body.id, 'hi Bob');
    expect(toBobAck).toMatchObject({ seq: 1, content: 'hi Bob', authorId: ada.id });
    expect(await toBob).toMatchObject({ id: toBobAck.id, content: 'hi Bob' });

    const toAda = next(adaSocket, (m) => m.authorId === bob.id);
    const reply = await sent(bobSocket, chat.body.id, 'hi Ada');
    expect((await toAda).seq).toBe(2);
    expect(reply.seq).toBe(2);

    const evesNotes = await api(eve).post<Conversation>('/api/conversations', { type: 'direct', memberIds: [eve.id] });
    const own = next(eveSocket);
    await sent(eveSocket, evesNotes.body.id, 'mine');
    await own;
    expect(eveSaw).toHaveLength(1);
    expect((await api(eve).get(`/api/conversations/${chat.body.id}/messages`)).status).toBe(404);

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
    await colleagues(ada, bob);
    const chat = (await api(ada).post<Conversation>('/api/conversations', { type: 'direct', memberIds: [bob.id] })).body;
    const bobSocket = await connect(bob, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500 });
    const live = next(bobSocket);
    const adaSocket = await connect(ada);
    const acked = await sent(adaSocket, chat.id, 'before restart');
    expect((await live).seq).toBe(1);
    const lastSeen = 1;

    await stack.restartService('messaging');
    for (const text of ['while you were away 1', 'while you were away 2']) {
      expect((await api(ada).post(`/api/conversations/${chat.id}/messages`, { content: text, clientId: randomUUID() })).status).toBe(201);
    }
    if (!bobSocket.connected) await new Promise<void>((resolve) => bobSocket.once('connect', () => resolve()));
    const synced: SocketAck<SyncResult> = await bobSocket.timeout(10_000).emitWithAck('sync', { conversations: { [chat.id]: lastSeen } });
    if (!synced.ok) throw new Error(synced.error.message);
    expect(synced.messages.map((m) => [m.seq, m.content])).toEqual([
      [2, 'while you were away 1'],
      [3, 'while you were away 2'],
    ]);

    // A crash (SIGKILL) loses nothing that was acknowledged.
    await stack.restartService('messaging', 'SIGKILL');
    const history = await api(bob).get<Page<Message>>(`/api/conversations/${chat.id}/messages`);
    expect(history.body.items.map((m) => m.id)).toContain(acked.id);
    expect(history.body.items.map((m) => m.seq)).toEqual([3, 2, 1]);
  });

  it('uploads and downloads a file through nginx', async () => {
    const [ada, bob] = await Promise.all([signup('Ada'), signup('Bob')]);
    await colleagues(ada, bob);
    const form = new FormData();
    form.append('file', new File(['hello through nginx'], 'hello.txt'));
    const uploaded = await api(ada).request<FileInfo>('POST', '/api/files', { form });
    expect(uploaded.status).toBe(201);
    const file = uploaded.body;
    const chat = (await api(ada).post<Conversation>('/api/conversations', { type: 'direct', memberIds: [bob.id] })).body;
    await api(ada).post(`/api/conversations/${chat.id}/messages`, {
      content: 'attached',
      clientId: randomUUID(),
      attachments: [file.id],
    });
    // The download stays on fetch: it is about the raw file and the headers nginx adds.
    const got = await fetch(stack.url + file.url, { headers: { authorization: `Bearer ${bob.accessToken}` } });
    expect(got.status).toBe(200);
    // nginx adds its own nosniff on top of the service's.
    expect(got.headers.get('x-content-type-options')).toMatch(/^nosniff/);
    expect(await got.text()).toBe('hello through nginx');
  });
});
