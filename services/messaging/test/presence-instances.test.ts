import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeSockets,
  connect,
  conversation,
  eventually,
  nextEvent,
  record,
  startAuth,
  startMessaging,
  users,
  type AuthHarness,
  type MessagingServer,
} from './helpers.js';

describe('presence across tabs and instances', () => {
  let auth: AuthHarness;
  let one: MessagingServer;
  let two: MessagingServer;
  let redis: Redis;
  beforeAll(async () => {
    auth = await startAuth();
    [one, two] = await Promise.all([startMessaging(auth), startMessaging(auth)]);
    redis = new Redis(one.config.redisUrl);
  });
  afterAll(async () => {
    closeSockets();
    await redis?.quit();
    await Promise.all([one?.close(), two?.close()]);
    await auth?.close();
  });

  const entries = (userId: string) => redis.zrange(`${one.config.redisPrefix}presence:${userId}`, '0', '-1');

  it('keeps one Redis entry per instance, however many tabs, and says offline only when the last tab anywhere closes', async () => {
    const [ada, bob] = await users(auth, 'Ada', 'Bob');
    await conversation(one.url, ada, 'direct', [bob]);
    const adaSocket = await connect(one.url, ada);
    const heard = record(adaSocket, 'presence');
    const online = nextEvent(adaSocket, 'presence', (p) => p.userId === bob.id);
    const tabsOnOne = [await connect(one.url, bob), await connect(one.url, bob), await connect(one.url, bob)];
    expect(await online).toEqual({ userId: bob.id, status: 'online' });
    const tabOnTwo = await connect(two.url, bob);
    await eventually(async () => (await entries(bob.id)).length === 2, 'an entry from each instance');
    // Three sockets on one instance are one entry: a handshake after the first writes nothing to Redis.
    expect(await entries(bob.id)).toHaveLength(2);

    for (const tab of tabsOnOne) tab.disconnect();
    await eventually(async () => (await entries(bob.id)).length === 1, 'instance one’s entry gone with its last tab');
    expect(heard.filter((p) => p.userId === bob.id && p.status === 'offline')).toEqual([]);

    const offline = nextEvent(adaSocket, 'presence', (p) => p.userId === bob.id && p.status === 'offline');
    tabOnTwo.disconnect();
    await offline;
    expect(await entries(bob.id)).toEqual([]);
    expect(heard.filter((p) => p.userId === bob.id && p.status === 'online')).toHaveLength(1);
  });

  it('the heartbeat writes back an entry Redis lost while the user is still connected here', async () => {
    const [cid] = await users(auth, 'Cid');
    await connect(one.url, cid);
    await eventually(async () => (await entries(cid.id)).length === 1, 'entry recorded');
    await redis.del(`${one.config.redisPrefix}presence:${cid.id}`);
    await one.app.presence.heartbeat();
    expect(await entries(cid.id)).toHaveLength(1);
    expect(await one.app.presence.online([cid.id])).toEqual([cid.id]);
  });
});
