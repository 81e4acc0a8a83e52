import { randomUUID } from 'node:crypto';
import { AppError } from '@flux/shared';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LimitName, leaseSize, RateLimiter } from '../src/limits/rate-limiter.js';

/** Budgets of 20 per minute: leases of 2 points. */
const POINTS = 20;
const limits = (points: number) =>
  Object.fromEntries(
    (['message', 'reaction', 'edit', 'conversation', 'sync'] as LimitName[]).map((name) => [
      name,
      { points, windowSeconds: 60, message: 'slow down' },
    ]),
  ) as ConstructorParameters<typeof RateLimiter>[2];

/** Resolves true when the point was granted, false when refused with 429. */
const granted = (limiter: RateLimiter, subject: string) =>
  limiter.consume('message', subject).then(
    () => true,
    (err: unknown) => {
      if (err instanceof AppError && err.status === 429) return false;
      throw err;
    },
  );

describe('rate limiter leases', () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(async () => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    // Until the connection is ready the limiters count in memory (their insurance), not in Redis.
    await redis.ping();
    prefix = `${process.env.REDIS_PREFIX ?? 'flux-test:'}rl-${randomUUID()}:`;
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  /** What Redis has counted for the subject's message budget. */
  const counted = async (subject: string) => Number((await redis.get(`${prefix}ratelimit:message:${subject}`)) ?? 0);

  it('takes points from Redis a lease at a time and counts the rest in memory', async () => {
    const limiter = new RateLimiter(redis, prefix, limits(POINTS), 100);
    const subject = randomUUID();
    expect(leaseSize(POINTS, 100)).toBe(2);
    await limiter.consume('message', subject);
    expect(await counted(subject)).toBe(2);
    await limiter.consume('message', subject);
    expect(await counted(subject)).toBe(2);
    await limiter.consume('message', subject);
    expect(await counted(subject)).toBe(4);
  });

  it('is exact on one instance: the budget and not one point more, then 429 with Retry-After', async () => {
    const limiter = new RateLimiter(redis, prefix, limits(5), 100);
    const subject = randomUUID();
    // A budget of 5 leases single points; one of 25 leases 2, and ends on a lease that does not fit.
    for (const [points, one] of [
      [5, limiter],
      [25, new RateLimiter(redis, prefix, limits(25), 100)],
    ] as const) {
      const who = `${subject}-${points}`;
      const answers: boolean[] = [];
      for (let i = 0; i < points + 3; i++) answers.push(await granted(one, who));
      expect(answers.filter(Boolean)).toHaveLength(points);
      expect(answers.slice(0, points).every(Boolean)).toBe(true);
      const refusal = await one.consume('message', who).catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(AppError);
      expect((refusal as AppError).status).toBe(429);
    }
  });

  it('never grants more than the budget across instances, and refuses at most (instances − 1) × (lease − 1) early', async () => {
    const instances = [0, 1, 2].map(() => new RateLimiter(redis, prefix, limits(POINTS), 100));
    const subject = randomUUID();
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => granted(instances[i % 3]!, subject)));
    const grantedCount = answers.filter(Boolean).length;
    expect(grantedCount).toBeLessThanOrEqual(POINTS);
    expect(grantedCount).toBeGreaterThanOrEqual(POINTS - 2 * (leaseSize(POINTS, 100) - 1));
  });

  it('concurrent requests on one instance share one lease request instead of each taking a lease', async () => {
    const limiter = new RateLimiter(redis, prefix, limits(POINTS), 100);
    const subject = randomUUID();
    await Promise.all(Array.from({ length: 5 }, () => limiter.consume('message', subject)));
    // 5 points in leases of 2: 3 leases (one point left over), not 5.
    expect(await counted(subject)).toBe(6);
  });

  it('RATE_LIMIT_LEASE_MAX=1 counts every request in Redis', async () => {
    const limiter = new RateLimiter(redis, prefix, limits(POINTS), 1);
    const subject = randomUUID();
    for (let i = 0; i < 3; i++) await limiter.consume('message', subject);
    expect(await counted(subject)).toBe(3);
  });
});
