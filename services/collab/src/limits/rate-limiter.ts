import { AppError } from '@flux/shared';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';

/** What is limited per minute, and per whom: creations per user, restores per document. */
export type LimitName = 'document-create' | 'version-create' | 'version-restore' | 'comment-write';

const limits = (config: Config): Record<LimitName, { perMinute: number; message: string }> => ({
  'document-create': { perMinute: config.documentCreatesPerMinute, message: 'You are creating documents too fast; try again shortly.' },
  'version-create': { perMinute: config.versionCreatesPerMinute, message: 'You are saving versions too fast; try again shortly.' },
  'version-restore': { perMinute: config.restoresPerMinute, message: 'This document was restored too often; try again shortly.' },
  'comment-write': { perMinute: config.commentWritesPerMinute, message: 'You are commenting too fast; try again shortly.' },
});

/**
 * Per-minute budgets counted in Redis (rate-limiter-flexible), so a limit holds across every
 * instance. While Redis is unreachable each instance counts in memory instead (the insurance
 * limiter): limits loosen to one budget per instance for the outage, but never switch off.
 */
export class RateLimiter {
  private readonly limiters: Record<LimitName, { limiter: RateLimiterRedis; message: string }>;

  constructor(redis: Redis, config: Config) {
    const entries = Object.entries(limits(config)).map(([name, { perMinute, message }]) => {
      const limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.redisPrefix}collab:ratelimit:${name}`,
        points: perMinute,
        duration: 60,
        // Straight to the insurance limiter while the connection is down, instead of queueing.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points: perMinute, duration: 60 }),
      });
      return [name, { limiter, message }];
    });
    this.limiters = Object.fromEntries(entries) as RateLimiter['limiters'];
  }

  /** Takes one of `subject`'s points; 429 `rate_limited` with Retry-After once the minute's are used up. */
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
