import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { RevokedSessions } from './revoked-sessions.js';
import { DurableEvents } from './streams.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = pino({ level: 'silent' });
const revocation = (sessionIds: string[], ttlMs = 60_000) => ({
  userId: randomUUID(),
  sessionIds,
  reason: 'logout_all',
  until: new Date(Date.now() + ttlMs).toISOString(),
});

describe('RevokedSessions', () => {
  const redis = new Redis(redisUrl);
  const opened: DurableEvents[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((streams) => streams.close()));
    await redis.quit();
  });

  /** A deployment of its own (prefix), so streams and keys start empty. */
  const deployment = () => {
    const prefix = `${process.env.REDIS_PREFIX ?? 'flux-test:'}revoked-${randomUUID().slice(0, 8)}:`;
    const streams = new DurableEvents(redis, { redisUrl, prefix, log });
    opened.push(streams);
    /** An instance as a service starts one: following, with the earlier revocations loaded. */
    const instance = async () => {
      const sessions = new RevokedSessions(redis, prefix, log);
      await sessions.follow(streams);
      return sessions;
    };
    const publish = (payload: ReturnType<typeof revocation>) => streams.append([{ id: randomUUID(), name: 'sessions.revoked', payload }]);
    return { prefix, streams, instance, publish };
  };

  it('refuses a revocation recorded in Redis before the instance started', async () => {
    const { prefix, instance } = deployment();
    const [a, b] = [randomUUID(), randomUUID()];
    await new RevokedSessions(redis, prefix, log).record(revocation([a, b], 30_000));
    const ttl = await redis.pttl(`${prefix}sessions:revoked:${a}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);

    const later = await instance();
    expect(await later.isRevoked(a)).toBe(true);
    expect(await later.isRevoked(b)).toBe(true);
    expect(await later.isRevoked(randomUUID())).toBe(false);
  });

  it('refuses a revocation still only in the stream (no consumer recorded it yet) when the instance starts', async () => {
    const { publish, instance } = deployment();
    const session = randomUUID();
    await publish(revocation([session]));
    expect(await (await instance()).isRevoked(session)).toBe(true);
  });

  it('refuses a revocation made after the instance started once its event arrives, and forgets expired ones', async () => {
    const { publish, instance } = deployment();
    const sessions = await instance();
    const [fresh, expired] = [randomUUID(), randomUUID()];
    expect(await sessions.isRevoked(fresh)).toBe(false);
    await publish(revocation([expired], -1_000));
    await publish(revocation([fresh]));
    await eventually(() => sessions.isRevoked(fresh), { what: 'the followed revocation' });
    expect(await sessions.isRevoked(expired)).toBe(false);
  });

  it('answers from process memory: what it knows stays refused while Redis is unreachable', async () => {
    const { prefix, publish, streams } = deployment();
    const known = randomUUID();
    await publish(revocation([known]));
    const own = new Redis(redisUrl);
    const sessions = new RevokedSessions(own, prefix, log);
    await sessions.follow(streams);
    own.disconnect();
    expect(await sessions.isRevoked(known)).toBe(true);
    expect(await sessions.isRevoked(randomUUID())).toBe(false);
  });
});
