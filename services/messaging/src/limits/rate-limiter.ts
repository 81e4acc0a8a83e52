import { AppError } from '@flux/shared';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';

/** What one user may do so often: each name is a separate budget. */
export type LimitName = 'message' | 'reaction' | 'edit' | 'conversation' | 'sync';

interface Limit {
  points: number;
  windowSeconds: number;
  /** Said in the 429 answer. */
  message: string;
}

export function limitsFrom(config: Config): Record<LimitName, Limit> {
  return {
    message: {
      points: config.messageRateLimit,
      windowSeconds: config.messageRateWindowSeconds,
      message: 'You are sending messages too fast; slow down.',
    },
    reaction: {
      points: config.reactionRateLimit,
      windowSeconds: config.reactionRateWindowSeconds,
      message: 'You are reacting too fast; slow down.',
    },
    edit: { points: config.editRateLimit, windowSeconds: config.editRateWindowSeconds, message: 'You are editing too fast; slow down.' },
    conversation: {
      points: config.conversationRateLimit,
      windowSeconds: config.conversationRateWindowSeconds,
      message: 'You are creating conversations too fast; try again later.',
    },
    sync: {
      points: config.syncRateLimit,
      windowSeconds: config.syncRateWindowSeconds,
      message: 'Too many sync requests; try again later.',
    },
  };
}

/** Points an instance takes from Redis at once: a tenth of the budget, at least 1, at most `max`. */
export const leaseSize = (points: number, max: number): number => Math.min(max, Math.max(1, Math.floor(points / 10)));

/** Points this instance took from Redis for one user and budget, usable until the Redis window they were counted in ends. */
interface Lease {
  left: number;
  until: number;
}

/**
 * Per-user budgets counted in Redis (rate-limiter-flexible), so a limit holds across every
 * instance. While Redis is unreachable each instance counts in memory instead (the insurance
 * limiter): limits loosen to one budget per instance for the outage, but never switch off.
 *
 * The common request needs no Redis round trip: an instance takes points in leases (`leaseSize`)
 * and counts them down in memory, asking Redis again when a lease is used up or its window ended.
 * A leased point counts in Redis whether used or not, so a limit is never exceeded; with one
 * instance it is exact, with N serving one user a refusal may come up to (N−1)·(lease−1) points
 * early. Near the end of a budget a lease that does not fit is given back and single points taken.
 */
export class RateLimiter {
  private readonly limiters: Record<LimitName, { limiter: RateLimiterRedis; lease: number; message: string }>;
  private readonly leases = new Map<string, Lease>();
  /** One lease request per user and budget at a time: concurrent requests wait for it instead of taking their own. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(redis: Redis, prefix: string, limits: Record<LimitName, Limit>, leaseMax: number) {
    const entries = Object.entries(limits).map(([name, { points, windowSeconds, message }]) => {
      const limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}ratelimit:${name}`,
        points,
        duration: windowSeconds,
        // Straight to the insurance limiter while the connection is down, instead of queueing.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: windowSeconds }),
      });
      return [name, { limiter, lease: leaseSize(points, leaseMax), message }];
    });
    this.limiters = Object.fromEntries(entries) as RateLimiter['limiters'];
  }

  /** Takes one point of `subject`'s budget; 429 `rate_limited` with Retry-After once it is used up. */
  async consume(name: LimitName, subject: string): Promise<void> {
    const key = `${name}:${subject}`;
    for (;;) {
      const lease = this.leases.get(key);
      if (lease && lease.left > 0 && lease.until > Date.now()) {
        lease.left--;
        return;
      }
      const pending = this.pending.get(key);
      if (!pending) break;
      await pending.catch(() => {});
    }
    const taking = this.take(name, subject).then((lease) => {
      this.leases.set(key, lease);
      if (this.leases.size > 100_000) this.prune();
    });
    this.pending.set(key, taking);
    try {
      await taking;
    } finally {
      this.pending.delete(key);
    }
  }

  /** A new lease from Redis, its first point used by the caller. */
  private async take(name: LimitName, subject: string): Promise<Lease> {
    const { limiter, lease, message } = this.limiters[name];
    // Measured from before the request, so a lease never outlives the window it was counted in.
    const asked = Date.now();
    try {
      try {
        const res = await limiter.consume(subject, lease);
        return { left: lease - 1, until: asked + res.msBeforeNext };
      } catch (err) {
        if (!(err instanceof RateLimiterRes) || lease === 1) throw err;
        // Less than a lease left: give it back and take one point.
        await limiter.reward(subject, lease);
        const res = await limiter.consume(subject, 1);
        return { left: 0, until: asked + res.msBeforeNext };
      }
    } catch (err) {
      if (err instanceof RateLimiterRes) throw AppError.rateLimited(err.msBeforeNext / 1000, message);
      throw err;
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [key, lease] of this.leases) if (lease.until <= now || lease.left === 0) this.leases.delete(key);
  }
}
