import { HealthBody } from '@flux/shared';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type { Sql } from 'postgres';

const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref())]);

/** One round trip within 2 s: 'ok', or 'error' for a failure or a timeout. */
export const check = async (probe: () => Promise<unknown>): Promise<'ok' | 'error'> =>
  within(2000, probe()).then(
    () => 'ok' as const,
    () => 'error' as const,
  );

/** Extra fields a service adds to its health body, e.g. collab's connection counts. */
export type HealthExtra = () => { connections?: number; activeRooms?: number };

/** `GET /health` (and the service's public health path): real DB and Redis round trips; 503 when the database is unreachable (contract §1). */
export function registerHealth(
  app: FastifyInstance,
  options: { service: string; paths: string[]; sql: Sql; redis: Redis; extra?: HealthExtra },
): void {
  const started = Date.now();
  const handler = async (_request: unknown, reply: FastifyReply) => {
    const [db, redis] = await Promise.all([check(() => options.sql`select 1`), check(() => options.redis.ping())]);
    const body: HealthBody = {
      status: db === 'ok' && redis === 'ok' ? 'ok' : 'degraded',
      service: options.service,
      uptime: Math.round((Date.now() - started) / 1000),
      checks: { db, redis },
      ...options.extra?.(),
    };
    return reply.code(db === 'ok' ? 200 : 503).send(body);
  };
  for (const url of options.paths) app.get(url, { schema: { response: { 200: HealthBody, 503: HealthBody } } }, handler);
}
