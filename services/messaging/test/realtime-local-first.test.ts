import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRedis } from '../../../test/support/private-stores.js';
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

/** `promise`, or a failure naming `what` once `ms` have passed (the test's bound, not a timing claim). */
const within = <T>(promise: Promise<T>, what: string, ms = 10_000) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms))]);

describe('broadcasts reach this instance’s sockets without waiting for Redis', () => {
  let auth: AuthHarness;
  let redis: PrivateRedis;
  let one: MessagingServer;
  let two: MessagingServer;
  beforeAll(async () => {
    redis = await new PrivateRedis().init();
    auth = await startAuth();
    const env = { REDIS_URL: redis.url };
    [one, two] = await Promise.all([startMessaging(auth, env), startMessaging(auth, env)]);
  });
  afterAll(async () => {
    closeSockets();
    await Promise.all([one?.close(), two?.close()]);
    await auth?.close();
    await redis?.destroy();
  });

  it('during a Redis outage: local sockets get messages and room changes at once, the other instance once Redis is back', async () => {
    const [ada, bob, cid, dan] = await users(auth, 'Ada', 'Bob', 'Cid', 'Dan');
    const group = await conversation(one.url, ada, 'group', [bob, cid], 'outage');
    const adaSocket = await connect(one.url, ada);
    const bobSocket = await connect(one.url, bob);
    const danSocket = await connect(one.url, dan);
    const cidSocket = await connect(two.url, cid);
    await eventually(
      async () => (await one.app.io.of('/').adapter.serverCount()) >= 2 && (await two.app.io.of('/').adapter.serverCount()) >= 2,
      'instances see each other',
      20_000,
    );

    await redis.stop();
    await eventually(
      async () => (await client(one.url, undefined).get<{ checks: { redis: string } }>('/health')).body.checks.redis === 'error',
      'instance sees Redis down',
    );
    const content = 'sent while Redis was down';
    const bobHears = nextEvent(bobSocket, 'message:new', (m) => m.content === content);
    const cidHears = nextEvent(cidSocket, 'message:new', (m) => m.content === content);
    const ack = acked(await emitWithAck(adaSocket, 'message:send', { conversationId: group.id, content, clientId: randomUUID() }));
    // Same instance as the sender: delivered while Redis is still down.
    expect((await within(bobHears, 'local delivery during the outage')).id).toBe(ack.message.id);

    // A room change made here applies here at once: Dan, added now, hears the very next message.
    const added = await client(one.url, ada).post(`/api/conversations/${group.id}/members`, { memberIds: [dan.id] });
    expect(added.status).toBeLessThan(300);
    const next = 'the first message Dan can read';
    const danHears = nextEvent(danSocket, 'message:new', (m) => m.content === next);
    acked(await emitWithAck(adaSocket, 'message:send', { conversationId: group.id, content: next, clientId: randomUUID() }));
    expect((await within(danHears, 'delivery to a member added during the outage')).conversationId).toBe(group.id);

    // The other instance: late, not lost.
    await redis.start();
    expect((await within(cidHears, 'cross-instance delivery after the outage', 20_000)).id).toBe(ack.message.id);
  }, 60_000);
});
