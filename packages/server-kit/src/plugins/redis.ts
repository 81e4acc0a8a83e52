import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { closeRedis, createRedis } from '../redis.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The shared command connection; subscribers and BullMQ workers open their own. */
    redis: Redis;
  }
}

export interface RedisPluginOptions {
  url: string;
}

export const fluxRedis = fp<RedisPluginOptions>(
  async (app, { url }) => {
    const redis = createRedis(url, app.log, 'main');
    app.decorate('redis', redis);
    app.addHook('onClose', async () => {
      await closeRedis(redis);
    });
  },
  { name: 'flux-redis', fastify: '5.x' },
);
