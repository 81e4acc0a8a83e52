import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/e2e/stack.js';
import {
  acked,
  client,
  closeSockets,
  connect,
  conversation,
  emitWithAck,
  eventually,
  nextEvent,
  startAuth,
  startMessaging,
  users,
  type AuthHarness,
  type MessagingServer,
} from './helpers.js';

/** A private redis-server, so this test can stop and restart it without disturbing anyone. */
async function startRedis(port: number): Promise<ChildProcess> {
  const dir = mkdtempSync(`${tmpdir()}/flux-redis-`);
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  await eventually(async () => {
    const { Redis } = await import('ioredis');
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {}); // refused while it starts: expected
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }, 'redis-server up');
  return child;
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('a Redis outage', () => {
  let auth: AuthHarness;
  let one: MessagingServer;
  let two: MessagingServer;
  let redis: ChildProcess;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    auth = await startAuth();
    const env = { REDIS_URL: `redis://127.0.0.1:${port}` };
    [one, two] = await Promise.all([startMessaging(auth, env), startMessaging(auth, env)]);
  });
  afterAll(async () => {
    closeSockets();
    // Closing right after the restart, while a reader may still wait to reconnect, used to hang
    // (an ioredis bug, patched: see packages/server-kit/src/redis-close.test.ts).
    await Promise.all([one?.close(), two?.close()]);
    await auth?.close();
    if (redis) await stop(redis);
  });

  const bothSeeEachOther = () =>
    eventually(
      async () => (await one.app.io.of('/').adapter.serverCount()) >= 2 && (await two.app.io.of('/').adapter.serverCount()) >= 2,
      'instances see each other',
      20_000,
    );

  it('delays cross-instance delivery instead of losing it, and acks never depend on Redis', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    const chat = await conversation(one.url, ada, 'direct', [bob]);
    const adaSocket = await connect(one.url, ada);
    const bobSocket = await connect(two.url, bob);
    await bothSeeEachOther();

    await stop(redis);
    const during = nextEvent(bobSocket, 'message:new', (m) => m.content === 'sent while Redis was down');
    const ack = acked(
      await emitWithAck(adaSocket, 'message:send', {
        conversationId: chat.id,
        content: 'sent while Redis was down',
        clientId: randomUUID(),
      }),
    );
    expect(ack).toMatchObject({ ok: true, message: { seq: 1 } });

    // Keep Redis down well past a bounded retry budget: two health checks in a row find it gone.
    for (let i = 0; i < 2; i++) {
      await eventually(
        async () => (await client(one.url, undefined).get<{ checks: { redis: string } }>('/health')).body.checks.redis === 'error',
        'instance sees Redis down',
      );
    }
    redis = await startRedis(port);
    expect((await during).id).toBe(ack.message.id);
    const after = nextEvent(bobSocket, 'message:new', (m) => m.content === 'after the outage');
    await emitWithAck(adaSocket, 'message:send', { conversationId: chat.id, content: 'after the outage', clientId: randomUUID() });
    expect((await after).seq).toBe(2);
  }, 60_000);
});
