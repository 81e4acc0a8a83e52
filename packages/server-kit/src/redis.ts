import { Redis, type RedisOptions } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Adds Sentinel discovery to a Redis URL: `?sentinels=host:port,host:port&sentinelName=<master>`.
 * The base config folds REDIS_SENTINELS / REDIS_SENTINEL_NAME in here, so every connection made from
 * `config.redisUrl` (app.redis, event subscribers, BullMQ, the Socket.IO adapter, collab's relay)
 * asks the sentinels for the current master and follows a failover; none can forget to.
 */
export function withSentinels(url: string, sentinels: readonly string[], name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('sentinels', sentinels.join(','));
  parsed.searchParams.set('sentinelName', name);
  return parsed.toString();
}

/** The URL and ioredis options for it: Sentinel mode (`sentinels` + `name`) when the URL names sentinels. */
export function redisConnection(url: string): { url: string; options: RedisOptions } {
  const parsed = new URL(url);
  const sentinels = parsed.searchParams.get('sentinels');
  const name = parsed.searchParams.get('sentinelName');
  if (!sentinels || !name) return { url, options: {} };
  parsed.searchParams.delete('sentinels');
  parsed.searchParams.delete('sentinelName');
  // The URL's host is ignored in Sentinel mode; its password and database still apply to the master.
  const list = sentinels.split(',').map((entry) => {
    const at = entry.lastIndexOf(':');
    return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
  });
  return { url: parsed.toString(), options: { sentinels: list, name } };
}

/**
 * A Redis connection that logs its errors instead of crashing the process.
 * `purpose` names it in logs; BullMQ workers and subscribers need their own connection.
 */
export function createRedis(url: string, log: FastifyBaseLogger, purpose: string, options: RedisOptions = {}): Redis {
  const target = redisConnection(url);
  const redis = new Redis(target.url, { maxRetriesPerRequest: 2, connectionName: `flux-${purpose}`, ...target.options, ...options });
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
