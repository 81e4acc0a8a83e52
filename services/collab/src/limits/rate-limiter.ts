import { AppError } from '@flux/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

// INCR and the first PEXPIRE in one step, so a crash between them cannot leave a key that never expires.
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

/** Fixed one-minute windows in Redis, so a limit holds across every collab instance. */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Counts one `name` action by `subject`; the one past `perMinute` throws 429 `rate_limited` with Retry-After (the window's rest). */
  async consume(name: string, subject: string, perMinute: number, message: string): Promise<void> {
    let result: [number, number];
    try {
      result = (await this.redis.eval(HIT, 1, `${this.prefix}collab:ratelimit:${name}:${subject}`, 60_000)) as [number, number];
    } catch (err) {
      // Redis down: creating and restoring matter more than limiting them for a moment.
      this.log.warn({ err, name }, 'rate limiter unavailable; allowing');
      return;
    }
    const [count, ttl] = result;
    if (count > perMinute) throw AppError.rateLimited(Math.max(ttl, 1) / 1000, message);
  }
}
