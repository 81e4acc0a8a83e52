import { Redis, type RedisOptions } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

/**
 * A Redis connection that logs its errors instead of crashing the process.
 * `purpose` names it in logs; BullMQ workers and subscribers need their own connection.
 */
export function createRedis(url: string, log: FastifyBaseLogger, purpose: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, connectionName: `flux-${purpose}`, ...options });
  let reported = false;
  redis.on('error', (err) => {
    if (!reported) log.warn({ err, purpose }, 'redis connection error; retrying');
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) log.info({ purpose }, 'redis connection restored');
    reported = false;
  });
  return redis;
}

/** Closes a connection politely, or drops it when Redis is unreachable. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  await redis.quit().catch(() => redis.disconnect());
}
