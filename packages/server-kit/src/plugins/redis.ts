import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
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

/** How long a starting service waits for Redis before it serves without it (degraded). */
const READY_WAIT_MS = 3000;

export const fluxRedis = fp<RedisPluginOptions>(
  async (app, { url }) => {
    const redis = createRedis(url, app.log, 'main');
    app.decorate('redis', redis);
    // Serving before the connection is ready would count limits in process for the first requests
    // and in Redis after: split counts. Redis down at start is an outage, served degraded.
    if (redis.status !== 'ready') {
      const abort = new AbortController();
      await Promise.race([once(redis, 'ready', { signal: abort.signal }), sleep(READY_WAIT_MS, undefined, { signal: abort.signal })]).catch(
        () => {},
      );
      abort.abort();
    }
    app.addHook('onClose', async () => {
      await closeRedis(redis);
    });
  },
  { name: 'flux-redis', fastify: '5.x' },
);
