import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { RevokedSessions } from './revoked-sessions.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${process.env.REDIS_PREFIX ?? 'flux-test:'}revoked-${randomUUID().slice(0, 8)}:`;
const log = pino({ level: 'silent' });
const revocation = (sessionIds: string[], ttlMs = 60_000) => ({
  userId: randomUUID(),
  sessionIds,
  reason: 'logout_all',
  until: new Date(Date.now() + ttlMs).toISOString(),
});

/** A loopback port nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('RevokedSessions', () => {
  const redis = new Redis(redisUrl);
  afterAll(() => redis.quit());

  it('records a revocation in Redis until the tokens expire, so another process refuses it too', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await new RevokedSessions(redis, prefix, log).record(revocation([a, b], 30_000));
    const elsewhere = new RevokedSessions(redis, prefix, log);
    expect(await elsewhere.isRevoked(a)).toBe(true);
    expect(await elsewhere.isRevoked(b)).toBe(true);
    expect(await elsewhere.isRevoked(randomUUID())).toBe(false);
    const ttl = await redis.pttl(`${prefix}sessions:revoked:${a}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('keeps refusing what this process heard while Redis is unreachable', async () => {
    // Nothing listens on this port: every Redis call fails, as during an outage.
    const away = new Redis(await closedPort(), '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    away.on('error', () => {});
    try {
      const sessions = new RevokedSessions(away, prefix, log);
      const heard = randomUUID();
      sessions.noteLocally(revocation([heard]));
      expect(await sessions.isRevoked(heard)).toBe(true);
      // Not heard here: without Redis it cannot be known, and access stays open rather than failing every request.
      expect(await sessions.isRevoked(randomUUID())).toBe(false);
    } finally {
      away.disconnect();
    }
  });
});
