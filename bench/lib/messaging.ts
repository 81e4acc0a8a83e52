// What the messaging scenarios share: people in one organization (rows inserted directly, as
// auth's test factories do: a sign-up each would measure argon2), Socket.IO clients for ours and
// for the bare baseline, and the timers: each message from its emit to its ack and to the moment
// its last receiver has it (the receipt is taken by the listener, so the ack's trip does not count).
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import type { TestUser } from '../../test/support/auth.js';
import { createDatabase } from '../../packages/server-kit/src/db.js';
import type { Database } from '../../services/auth/src/db/database.js';
import { factories } from '../../services/auth/test/factories.js';
import { connectSocket, inBatches } from './flux-api.js';

/** The stack's database (DATABASE_URL), for fixtures and for checking what was stored. */
export const stackDatabase = () => createDatabase<Database>(process.env.DATABASE_URL ?? '', 4);

/** `count` users with live sessions, all members of one new organization (in the stack's database). */
export async function colleagues(count: number): Promise<TestUser[]> {
  const { db, sql } = stackDatabase();
  try {
    const make = factories(db);
    const users = await inBatches(count, 25, (i) => make.user(`Bench ${i}`));
    const organization = await make.organization(users[0]!);
    await inBatches(count - 1, 50, (i) => make.member(organization.id, users[i + 1]!, 'member'));
    return users;
  } finally {
    await sql.end();
  }
}

/** Opens our socket for `user` (through nginx) or a bare one that joins `rooms`. */
export const ourSocket = (url: string, user: TestUser) => connectSocket(url, user.accessToken);
export const bareSocket = (url: string, rooms: string[]) => connectSocket(url, undefined, { rooms });

/** A message not delivered to everyone within this long is counted lost, so a run always ends. */
const LOST_AFTER_MS = 10_000;

export type Timings = { ack: number[]; delivery: number[] };

/** Anything that reports the clientId of each `message:new` it receives. */
export interface Receiver {
  onMessage(listener: (clientId: string) => void): void;
}

/** A socket.io-client socket as a Receiver. */
export const socketReceiver = (socket: Socket): Receiver => ({
  onMessage: (listener) => socket.on('message:new', (message: { clientId?: string }) => message.clientId && listener(message.clientId)),
});

/**
 * Listens for `message:new` on the receivers and times each send: `send(clientId)` emits and
 * resolves on the ack. Delivery counts when `expected` receivers have the message.
 */
export class DeliveryTimer {
  private readonly waiting = new Map<string, { started: number; left: number; done: () => void }>();
  readonly timings: Timings = { ack: [], delivery: [] };

  constructor(receivers: Receiver[]) {
    for (const receiver of receivers)
      receiver.onMessage((clientId) => {
        const entry = this.waiting.get(clientId);
        if (entry && --entry.left === 0) {
          this.timings.delivery.push(performance.now() - entry.started);
          this.waiting.delete(clientId);
          entry.done();
        }
      });
  }

  /** Messages some receiver never got within LOST_AFTER_MS (they have no delivery time). */
  lost = 0;

  /** Sends one message; resolves when it is acknowledged and delivered to `expected` receivers (or counted lost). */
  async time(expected: number, send: (clientId: string) => Promise<void>): Promise<void> {
    const clientId = randomUUID();
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const delivered = new Promise<void>((done) => {
      this.waiting.set(clientId, { started, left: expected, done });
      timer = setTimeout(() => {
        if (this.waiting.delete(clientId)) this.lost++;
        done();
      }, LOST_AFTER_MS);
    });
    try {
      await send(clientId);
      this.timings.ack.push(performance.now() - started);
      await delivered;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(clientId);
    }
  }

  /** The timings so far; the next ones start afresh. */
  take(): Timings {
    const taken = { ack: [...this.timings.ack], delivery: [...this.timings.delivery] };
    this.timings.ack.length = 0;
    this.timings.delivery.length = 0;
    return taken;
  }
}

/** A `message:send` over `socket`, throwing unless acknowledged ok. */
export async function sendMessage(
  socket: Socket,
  conversationId: string,
  clientId: string,
  content = `bench ${clientId}`,
): Promise<{ id: string }> {
  const ack = (await socket.timeout(30_000).emitWithAck('message:send', { conversationId, content, clientId })) as
    | { ok: true; message: { id: string } }
    | { ok: false; error: unknown };
  if (!ack.ok) throw new Error(`message:send refused: ${JSON.stringify(ack.error)}`);
  return ack.message;
}

/**
 * Open loop: starts `send(i)` at `rate` per second for `seconds` without waiting for earlier ones
 * (as independent users would), at most `maxInFlight` at once (past that a send is skipped and
 * counted: the system is not keeping up). Resolves when every started send has settled.
 */
export async function openLoop(
  rate: number,
  seconds: number,
  send: (i: number) => Promise<void>,
  maxInFlight = 1000,
): Promise<{ started: number; skipped: number; failed: number; seconds: number }> {
  const tickMs = 10;
  let started = 0;
  let skipped = 0;
  let failed = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const begin = performance.now();
  while (performance.now() - begin < seconds * 1000) {
    const due = Math.floor(((performance.now() - begin) / 1000) * rate);
    while (started + skipped < due) {
      if (inFlight >= maxInFlight) {
        skipped++;
        continue;
      }
      inFlight++;
      const p = send(started++).then(
        () => undefined,
        () => void failed++,
      );
      const tracked = p.finally(() => {
        inFlight--;
        pending.delete(tracked);
      });
      pending.add(tracked);
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  await Promise.all(pending);
  return { started, skipped, failed, seconds: (performance.now() - begin) / 1000 };
}

/** Jobs of the notification queue not yet done, from a messaging instance's own /metrics gauges. */
async function notificationsPending(messagingPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${messagingPort}/metrics`)).text();
  let pending = 0;
  for (const match of text.matchAll(
    /^bullmq_queue_jobs\{queue="notifications",state="(waiting|active|delayed|prioritized)"[^}]*\} (\d+)/gm,
  ))
    pending += Number(match[2]);
  return pending;
}

/**
 * Waits (at most `limitS`) until messaging has done the background work the messages left behind:
 * the outbox relayed and the notification jobs run. A scenario that leaves tens of thousands of
 * jobs would otherwise hand the next scenario a stack still busy with them. Resolves with the
 * seconds it took (the limit when it did not finish).
 */
export async function drainNotifications(messagingPort: number, progress: (line: string) => void, limitS = 180): Promise<number> {
  const { sql } = stackDatabase();
  const begin = performance.now();
  try {
    for (;;) {
      // Only this stack's rows: the outbox is shared by every deployment (REDIS_PREFIX) of the database.
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from messaging.outbox where payload->>'deployment' = ${process.env.REDIS_PREFIX ?? ''}`;
      const left = (row?.n ?? 0) + (await notificationsPending(messagingPort));
      const seconds = (performance.now() - begin) / 1000;
      if (left === 0 || seconds >= limitS) return Math.min(seconds, limitS);
      progress(`waiting for ${left} notification jobs to finish (${Math.round(seconds)} s)`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    await sql.end();
  }
}
