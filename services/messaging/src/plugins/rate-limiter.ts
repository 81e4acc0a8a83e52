import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { limitsFrom, RateLimiter } from '../limits/rate-limiter.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Per-user limits shared by every instance. */
    rateLimiter: RateLimiter;
  }
}

export const rateLimiterPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    app.decorate('rateLimiter', new RateLimiter(app.redis, config.redisPrefix, limitsFrom(config), config.rateLimitLeaseMax));
  },
  { name: 'messaging-rate-limiter', dependencies: ['flux-redis'] },
);
