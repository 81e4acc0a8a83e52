import { randomUUID } from 'node:crypto';
import type {
  AuthTokens,
  ClientToServerEvents,
  Conversation,
  ErrorBody,
  Message,
  Notification,
  Page,
  ServerToClientEvents,
  SocketAck,
  SyncResult,
} from '@flux/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { type HttpAnswer, httpClient } from '../../support/http.js';
import { inviteAndAccept } from '../../support/invitations.js';
import { PrivatePostgres, PrivateRedis } from '../../support/private-stores.js';
import { startStack, type Stack } from '../stack.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
interface User {
  id: string;
  email: string;
  accessToken: string;
}
const PASSWORD = `Flux-${randomUUID().slice(0, 8)}-correct-horse-battery`;

/**
 * Faults under load, end to end: the built services behind nginx on a PostgreSQL and a Redis of
 * their own, which the tests stop, restart and kill (never the shared 5432/6379).
 */
describe('messaging through faults', () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let stack: Stack;
  let ada: User;
  let bob: User;
  let chat: Conversation;
  const sockets: ClientSocket[] = [];

  const api = (user?: User) => httpClient(stack.url, { token: user?.accessToken });
  const signup = async (): Promise<User> => {
    const answer = await api().post<AuthTokens>('/api/auth/signup', {
      email: `fault-${randomUUID()}@test.flux.local`,
      password: PASSWORD,
      name: 'Fault',
    });
    expect(answer.status).toBe(201);
    return { id: answer.body.user.id, email: answer.body.user.email, accessToken: answer.body.accessToken };
  };
  const connect = async (user: User): Promise<ClientSocket> => {
    const socket: ClientSocket = io(stack.url, {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: { token: user.accessToken },
      forceNew: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };
  /** A REST send; a retry with the same clientId answers the original (200) instead of a duplicate. */
  const send = (user: User, content: string, clientId = randomUUID()) =>
    api(user).post<Message | ErrorBody>(`/api/conversations/${chat.id}/messages`, { content, clientId });
  const history = async (): Promise<Message[]> => {
    const all: Message[] = [];
    let before: string | undefined;
    do {
      // Right after PostgreSQL returned, a pooled connection it dropped may still answer 503 once: retried, as Retry-After says.
      const page = await eventually(
        async () => {
          const answer = await api(ada).get<Page<Message>>(`/api/conversations/${chat.id}/messages`, { query: { limit: 100, before } });
          if (answer.status === 503) return null;
          expect(answer.status).toBe(200);
          return answer;
        },
        { what: 'a history page' },
      );
      all.push(...page.body.items);
      before = page.body.nextCursor ?? undefined;
    } while (before);
    return all.sort((a, b) => a.seq - b.seq);
  };
  /** The message ids of every notification the user has, one entry per notification. */
  const notifiedMessageIds = async (user: User): Promise<Array<string | null>> => {
    const ids: Array<string | null> = [];
    let before: string | undefined;
    do {
      const page = await api(user).get<Page<Notification>>('/api/notifications', { query: { limit: 100, before } });
      expect(page.status).toBe(200);
      ids.push(...page.body.items.map((n) => n.data.messageId));
      before = page.body.nextCursor ?? undefined;
    } while (before);
    return ids;
  };
  /** Every acknowledged message is in history exactly once, and seq has no gap. */
  const expectIntact = async (acknowledged: Message[]) => {
    const all = await history();
    const ids = all.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const message of acknowledged) expect(ids.filter((id) => id === message.id)).toHaveLength(1);
    expect(all.map((m) => m.seq)).toEqual(all.map((_, i) => i + 1));
  };

  beforeAll(async () => {
    [pg, redis] = await Promise.all([new PrivatePostgres().init(), new PrivateRedis().init()]);
    stack = await startStack({ DATABASE_URL: pg.url, REDIS_URL: redis.url, MESSAGE_RATE_LIMIT: '100000' });
    [ada, bob] = [await signup(), await signup()];
    const org = await api(ada).post<{ id: string }>('/api/organizations', { name: `Faults ${randomUUID().slice(0, 6)}` });
    expect(org.status).toBe(201);
    await inviteAndAccept(api(), ada, org.body.id, bob, 'member');
    const created = await api(ada).post<Conversation>('/api/conversations', { type: 'direct', memberIds: [bob.id] });
    expect(created.status).toBe(201);
    chat = created.body;
  }, 120_000);
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await stack?.stop();
    await Promise.all([pg?.destroy(), redis?.destroy()]);
  });

  it('Redis down for 10 s under load: sign-in and message sends keep succeeding; afterwards fan-out works again and the notifications of messages sent meanwhile arrive', async () => {
    const statuses: number[] = [];
    const sentDuring: Message[] = [];
    await redis.stop();
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const login = await api().post<AuthTokens>('/api/auth/login', { email: ada.email, password: PASSWORD });
      const sent = await send(ada, `during redis outage ${sentDuring.length}`);
      statuses.push(login.status, sent.status);
      if (sent.status === 201) sentDuring.push(sent.body as Message);
    }
    const health = await api().get<{ status: string; checks: { redis: string } }>('/api/messages/health');
    await redis.start();

    expect(statuses.filter((s) => s !== 200 && s !== 201)).toEqual([]);
    expect(sentDuring.length).toBeGreaterThan(5);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', checks: { redis: 'error' } });

    // Fan-out resumes by itself: a message sent now reaches Bob's socket.
    const bobSocket = await connect(bob);
    await eventually(
      async () => {
        const heard = new Promise<Message>((resolve) => bobSocket.once('message:new', resolve));
        const sent = await send(ada, 'after redis returned');
        expect(sent.status).toBe(201);
        const message = await Promise.race([heard, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
        return message?.id === (sent.body as Message).id;
      },
      { what: 'fan-out after Redis returned', timeout: 20_000 },
    );
    // Work created during the outage ran after it: Bob is notified of every message sent meanwhile.
    await eventually(
      async () => {
        const notified = new Set(await notifiedMessageIds(bob));
        return sentDuring.every((m) => notified.has(m.id));
      },
      { what: 'notifications of the messages sent during the outage', timeout: 30_000 },
    );
    await expectIntact(sentDuring);
  });

  it('PostgreSQL restart under load: 503 + Retry-After while down (never a 500), the socket stays up, nothing acknowledged is lost', async () => {
    const socket = await connect(ada);
    const socketId = socket.id;
    const acknowledged: Message[] = [];
    const answers: HttpAnswer<Message | ErrorBody>[] = [];
    const acks: SocketAck<{ message: Message }>[] = [];
    let running = true;
    const load = (async () => {
      for (let i = 0; running; i++) {
        const sent = await send(ada, `pg restart ${i}`);
        answers.push(sent);
        if (sent.status === 201) acknowledged.push(sent.body as Message);
        const ack = await socket
          .timeout(5_000)
          .emitWithAck('message:send', { conversationId: chat.id, content: `pg restart socket ${i}`, clientId: randomUUID() });
        acks.push(ack);
        if (ack.ok) acknowledged.push(ack.message);
        // Under the socket's event budget (SOCKET_EVENT_LIMIT a 10 s window).
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    await pg.stop();
    await eventually(() => answers.filter((a) => a.status === 503).length >= 3, { what: 'answers while PostgreSQL is down' });
    await pg.start();
    await eventually(() => answers.at(-1)?.status === 201, { what: 'sends succeed again', timeout: 20_000 });
    running = false;
    await load;

    const unavailable = answers.filter((a) => a.status === 503);
    expect(answers.filter((a) => a.status !== 201 && a.status !== 503).map((a) => a.status)).toEqual([]);
    for (const answer of unavailable) {
      expect((answer.body as ErrorBody).error.code).toBe('service_unavailable');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const refused = acks.filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThan(0);
    for (const ack of refused) expect(ack.ok ? null : ack.error.code).toBe('service_unavailable');
    expect(socket.connected).toBe(true);
    expect(socket.id).toBe(socketId);
    await expectIntact(acknowledged);
  });

  it('kill -9 of messaging while five clients send with retries: every acknowledged message once, seq gap-free, sockets reconnect, sync fills the gap, and the killed outbox relay’s notifications arrive once each', async () => {
    const watcher = await connect(bob);
    const seenBefore = (await history()).at(-1)?.seq ?? 0;
    const acknowledged: Message[] = [];
    let running = true;
    /** A client that retries each message (same clientId) until it is acknowledged. */
    const client = async (n: number) => {
      for (let i = 0; running; i++) {
        const clientId = randomUUID();
        for (;;) {
          const sent = await send(ada, `client ${n} message ${i}`, clientId).catch(() => undefined);
          if (sent && (sent.status === 201 || sent.status === 200)) {
            acknowledged.push(sent.body as Message);
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const clients = Array.from({ length: 5 }, (_, n) => client(n));
    await eventually(() => acknowledged.length >= 25, { what: 'load running' });
    await stack.stopService('messaging', 'SIGKILL');
    await eventually(() => !watcher.connected, { what: 'socket dropped by the kill' });
    await stack.startService('messaging');
    await eventually(() => watcher.connected, { what: 'socket reconnected by itself', timeout: 15_000 });
    const countAfterRestart = acknowledged.length;
    await eventually(() => acknowledged.length >= countAfterRestart + 25, { what: 'sends acknowledged after the restart' });
    running = false;
    await Promise.all(clients);

    // Retries answered with the original: the same message may be acknowledged twice, stored once.
    const unique = [...new Map(acknowledged.map((m) => [m.id, m])).values()];
    await expectIntact(unique);
    // The watcher missed what was sent while it was away: sync from its last position fills the gap.
    const sync = (await watcher.timeout(10_000).emitWithAck('sync', { conversations: { [chat.id]: seenBefore } })) as SocketAck<SyncResult>;
    expect(sync.ok && sync.hasMore).toBe(false);
    const synced = new Set(sync.ok ? sync.messages.map((m) => m.id) : []);
    expect(unique.filter((m) => !synced.has(m.id))).toEqual([]);
    // Each message's notification job was written to the outbox in the send's transaction. The kill
    // leaves rows the relay had not sent (or sent and not deleted) and jobs its worker held: the
    // restarted relay delivers the rows at least once, BullMQ re-runs the stalled jobs once their
    // lock lapses, and the notification's dedupe key keeps it to one each.
    const expected = new Set(unique.map((m) => m.id));
    const notified = await eventually(
      async () => {
        const ids = (await notifiedMessageIds(bob)).filter((id) => id !== null && expected.has(id));
        return new Set(ids).size === expected.size ? ids : null;
      },
      { what: 'a notification for every acknowledged message', timeout: 45_000 },
    );
    expect(notified).toHaveLength(expected.size);
    expect(pg.scalar('select count(*) from messaging.outbox')).toBe('0');
  }, 120_000);

  it('SIGTERM during load: no request fails except the gateway’s 502 while no instance listens, and every accepted write is kept', async () => {
    const acknowledged: Message[] = [];
    const failures: string[] = [];
    let running = true;
    const sender = async (n: number) => {
      for (let i = 0; running; i++) {
        const sent = await send(ada, `sigterm ${n}.${i}`).catch((err: unknown) => {
          failures.push(String(err));
          return undefined;
        });
        if (sent?.status === 201) acknowledged.push(sent.body as Message);
        else if (sent && sent.status < 502) failures.push(`${sent.status}`);
        if (!sent || sent.status >= 502) await new Promise((r) => setTimeout(r, 100));
      }
    };
    const senders = Array.from({ length: 5 }, (_, n) => sender(n));
    await eventually(() => acknowledged.length >= 25, { what: 'load running' });
    await stack.restartService('messaging', 'SIGTERM');
    const countAfterRestart = acknowledged.length;
    await eventually(() => acknowledged.length >= countAfterRestart + 10, {
      what: 'sends acknowledged after the restart',
      timeout: 15_000,
    });
    running = false;
    await Promise.all(senders);
    // nginx answers 502 while no instance listens; the service itself never failed a request it took.
    expect(failures).toEqual([]);
    await expectIntact(acknowledged);
  });
});
