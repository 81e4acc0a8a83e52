import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import type { BenchContext } from './run.js';
import { summarize, table, type Row } from './lib/stats.js';

const PASSWORD = `Bench-${randomUUID()}-correct-horse`;
const ONE_TO_ONE = 200;
const ONE_TO_MANY = 40;
const AUDIENCE = 100;
// The service limits each user to 60 messages per 10 s: rotate senders so the bench measures
// delivery, not the rate limiter.
const SENDERS = 5;

interface User {
  id: string;
  email: string;
  accessToken: string;
}

const connectSocket = (url: string, token?: string) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = io(url, {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: token ? { token } : {},
      forceNew: true,
      reconnection: false,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });

async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += size)
    out.push(...(await Promise.all(Array.from({ length: Math.min(size, count - i) }, (_, j) => make(i + j)))));
  return out;
}

/**
 * Sends `count` messages one after another; each is timed from the emit until every receiver
 * has it (the slowest receiver: what the last person in the room waits). Returns both that and
 * the ack time.
 */
async function measure<Payload>(
  count: number,
  receivers: Socket[],
  event: string,
  keyOf: (payload: Payload) => string | undefined,
  sendOne: (i: number, key: string) => Promise<void>,
): Promise<{ delivery: number[]; ack: number[] }> {
  const waiting = new Map<string, { left: number; done: (at: number) => void }>();
  for (const socket of receivers) {
    socket.on(event, (payload: Payload) => {
      const entry = waiting.get(keyOf(payload) ?? '');
      if (entry && --entry.left === 0) entry.done(performance.now());
    });
  }
  const delivery: number[] = [];
  const ack: number[] = [];
  for (let i = 0; i < count; i++) {
    const key = randomUUID();
    const started = performance.now();
    // The receipt time is taken by the listener, so the ack's own return trip does not count.
    const all = new Promise<number>((done) => waiting.set(key, { left: receivers.length, done }));
    await sendOne(i, key);
    ack.push(performance.now() - started);
    delivery.push((await all) - started);
    waiting.delete(key);
  }
  return { delivery, ack };
}

/** The same fan-out on a bare Socket.IO server (no auth, no database, no nginx): the floor. */
async function bare(audience: number, count: number) {
  const http = createServer();
  const server = new Server(http, { path: '/socket.io/', transports: ['websocket'], serveClient: false });
  server.on('connection', (socket) => {
    void socket.join('room');
    socket.on('send', (payload: { key: string }, ack: () => void) => {
      server.to('room').emit('new', payload);
      ack();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const sender = await connectSocket(url);
  const receivers = await inBatches(audience, 20, () => connectSocket(url));
  try {
    return await measure(
      count,
      receivers,
      'new',
      (p: { key: string }) => p.key,
      async (_i, key) => {
        await sender.emitWithAck('send', { key });
      },
    );
  } finally {
    for (const socket of [sender, ...receivers]) socket.disconnect();
    await server.close();
  }
}

/** Delivery latency of messages through nginx → messaging (commit in PostgreSQL) → Socket.IO, 1→1 and 1→100. */
export default async function messaging({ stack }: BenchContext): Promise<void> {
  const call = async (path: string, user: User | undefined, body: unknown) => {
    const response = await fetch(stack.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(user && { authorization: `Bearer ${user.accessToken}` }) },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response.json() as Promise<{ id: string; user: { id: string; email: string }; accessToken: string }>;
  };
  const signup = async (i: number): Promise<User> => {
    const answer = await call('/api/auth/signup', undefined, {
      email: `bench-${randomUUID()}@example.com`,
      password: PASSWORD,
      name: `Bench ${i}`,
    });
    return { id: answer.user.id, email: answer.user.email, accessToken: answer.accessToken };
  };

  /** Joins the way a person does: invited by `owner`, the mailed link (dev outbox) accepted while signed in. */
  const join = async (owner: User, organizationId: string, user: User) => {
    await call(`/api/organizations/${organizationId}/members`, owner, { email: user.email, role: 'member' });
    for (let attempt = 0; attempt < 200; attempt++) {
      const outbox = await fetch(`${stack.url}/api/auth/dev/outbox?to=${encodeURIComponent(user.email)}`);
      const { items } = (await outbox.json()) as { items: { text: string }[] };
      const token = items.map((mail) => /invit[^\s]*token=([A-Za-z0-9._~-]+)/i.exec(mail.text)?.[1]).find(Boolean);
      if (token) return void (await call('/api/invitations/accept', user, { token }));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no invitation mail reached ${user.email}`);
  };

  process.stdout.write(`  signing up ${AUDIENCE + SENDERS} users (argon2id) ...\n`);
  const senders = await inBatches(SENDERS, 4, signup);
  const audience = await inBatches(AUDIENCE, 4, signup);
  // Conversations only join people who share an organization: everyone joins the first sender's.
  process.stdout.write('  inviting everyone into one organization ...\n');
  const organization = await call('/api/organizations', senders[0], { name: `Bench ${randomUUID().slice(0, 6)}` });
  for (const user of [...senders.slice(1), ...audience]) await join(senders[0]!, organization.id, user);
  const sockets: Socket[] = [];
  const open = async (user: User) => {
    const socket = await connectSocket(stack.url, user.accessToken);
    sockets.push(socket);
    return socket;
  };

  try {
    // 1→1: each sender has a direct conversation with the same receiver.
    const receiver = audience[0]!;
    const directs = await Promise.all(senders.map((s) => call('/api/conversations', s, { type: 'direct', memberIds: [receiver.id] })));
    const senderSockets = await Promise.all(senders.map(open));
    const receiverSocket = await open(receiver);
    const keyOfMessage = (m: { clientId?: string }) => m.clientId;
    const sendVia = (conversationIds: string[]) => async (i: number, key: string) => {
      const k = i % SENDERS;
      const ack = await senderSockets[k]!.timeout(10_000).emitWithAck('message:send', {
        conversationId: conversationIds[k]!,
        content: `bench ${i}`,
        clientId: key,
      });
      if (!ack.ok) throw new Error(`message:send failed: ${JSON.stringify(ack.error)}`);
    };
    const one = await measure(ONE_TO_ONE, [receiverSocket], 'message:new', keyOfMessage, sendVia(directs.map((d) => d.id)));

    // 1→100: one group with every sender and the whole audience, each on their own socket.
    const group = await call('/api/conversations', senders[0], {
      type: 'group',
      name: 'bench',
      memberIds: [...senders.slice(1), ...audience].map((u) => u.id),
    });
    const audienceSockets = [receiverSocket, ...(await inBatches(AUDIENCE - 1, 20, (i) => open(audience[i + 1]!)))];
    const many = await measure(ONE_TO_MANY, audienceSockets, 'message:new', keyOfMessage, sendVia(senders.map(() => group.id)));

    const bareOne = await bare(1, ONE_TO_ONE);
    const bareMany = await bare(AUDIENCE, ONE_TO_MANY);
    const rows = (label: string, r: { delivery: number[]; ack: number[] }, withAck: boolean): Row[] => [
      { name: `${label} delivery`, summary: summarize(r.delivery) },
      ...(withAck ? [{ name: `${label} ack (committed)`, summary: summarize(r.ack) }] : []),
    ];
    table(`Socket.IO delivery 1→1, ${ONE_TO_ONE} sequential messages (send → received)`, [
      ...rows('bare socket.io, direct (baseline)', bareOne, false),
      ...rows('flux messaging via nginx', one, true),
    ]);
    table(`Socket.IO delivery 1→${AUDIENCE}, ${ONE_TO_MANY} sequential messages (send → last of ${AUDIENCE} received)`, [
      ...rows('bare socket.io, direct (baseline)', bareMany, false),
      ...rows('flux messaging via nginx', many, true),
    ]);
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
}
