import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { PrivateRedis } from '../../../test/support/private-stores.js';
import { DurableEvents } from './streams.js';

const log = pino({ level: 'silent' });

/** 'settled' when the promise settles within `ms`, else 'pending' (a liveness check, not a timing one). */
const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    new Promise<string>((resolve) => setTimeout(() => resolve('pending'), ms).unref()),
  ]);

// ioredis keeps a command that was in flight when its connection dropped in a stash that only a
// successful reconnect drains; disconnect() while it waits to reconnect used to leave that command
// pending for good, and a service closing after a Redis restart hung (patches/ioredis@6.0.0.patch).
describe('closing Redis connections after the server went away', () => {
  const redis = new PrivateRedis();
  const opened: Redis[] = [];
  beforeEach(async () => {
    if (redis.port === 0) await redis.init();
    else await redis.start();
  });
  afterAll(async () => {
    for (const connection of opened) connection.disconnect();
    await redis.destroy();
  });

  it('disconnect() rejects a blocking read that was in flight when the connection dropped', async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    client.on('error', () => {});
    opened.push(client);
    await client.ping();
    const read = client.call('XREAD', 'BLOCK', 0, 'STREAMS', `close-test:${randomUUID()}`, '$');
    const outcome = read.then(
      () => 'resolved',
      (err: Error) => `rejected: ${err.message}`,
    );
    await redis.stop();
    await eventually(() => client.status !== 'ready', { what: 'the client sees the connection drop' });

    client.disconnect();
    expect(await within(outcome, 5_000)).toBe('settled');
    expect(await outcome).toMatch(/^rejected: /);
    await eventually(() => client.status === 'end', { what: 'the client ends' });
  });

  it('DurableEvents.close() returns while its blocking readers wait for Redis to come back', async () => {
    const publisher = new Redis(redis.url, { maxRetriesPerRequest: null });
    publisher.on('error', () => {});
    opened.push(publisher);
    const events = new DurableEvents(publisher, { redisUrl: redis.url, prefix: `close-test-${randomUUID()}:`, log });
    await events.follow('sessions.revoked', () => {});
    await events.consume('membership.changed', 'close-test', () => {});
    await redis.stop();
    // Long enough for the readers' connections to drop and start their reconnect backoff.
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(await within(events.close(), 10_000)).toBe('settled');
  });
});
