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

/**
 * Per-user budgets counted in Redis (rate-limiter-flexible), so a limit holds across every
 * instance. While Redis is unreachable each instance counts in memory instead (the insurance
 * limiter): limits loosen to one budget per instance for the outage, but never switch off.
 */
export class RateLimiter {
  private readonly limiters: Record<LimitName, { limiter: RateLimiterRedis; message: string }>;

  constructor(redis: Redis, prefix: string, limits: Record<LimitName, Limit>) {
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
      return [name, { limiter, message }];
    });
    this.limiters = Object.fromEntries(entries) as RateLimiter['limiters'];
  }

  /** Takes one point of `subject`'s budget; 429 `rate_limited` with Retry-After once it is used up. */
  async consume(name: LimitName, subject: string): Promise<void> {
    const { limiter, message } = this.limiters[name];
    try {
      await limiter.consume(subject);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw AppError.rateLimited(err.msBeforeNext / 1000, message);
      throw err;
    }
  }
}
