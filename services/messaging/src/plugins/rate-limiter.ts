import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { RateLimiter } from '../limits/rate-limiter.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Fixed-window limits shared by every instance. */
    rateLimiter: RateLimiter;
  }
}

export const rateLimiterPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    app.decorate('rateLimiter', new RateLimiter(app.redis, config.redisPrefix, app.log));
  },
  { name: 'messaging-rate-limiter', dependencies: ['flux-redis'] },
);
