import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServiceName } from '@flux/shared';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { BaseConfig } from './config.js';
import { createDatabase, type Database } from './db.js';
import { registerErrorHandling } from './errors.js';
import { EventBus } from './events.js';
import { registerHealth } from './health.js';
import { registerMetrics } from './metrics.js';
import { closeRedis, createRedis } from './redis.js';
import { ServiceTokens } from './service-token.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What every service gets: the app plus its process-wide resources, closed with the app. */
export interface ServiceContext<DB> extends Database<DB> {
  app: App;
  redis: Redis;
  metrics: Registry;
  events: EventBus;
  serviceTokens: ServiceTokens;
}

export interface ServiceAppOptions {
  service: ServiceName;
  config: BaseConfig;
  /** Where nginx reaches `/health` from outside, e.g. `/api/auth/health` (contract §1). */
  publicHealthPath: string;
  /** Extra fields for `/health`, e.g. collab's connection counts. */
  health?: () => { connections?: number; activeRooms?: number };
  /** Pass `false` in tests to silence logs. */
  logger?: boolean;
}

/**
 * Builds the fastify instance every service starts from: logging, request ids, the error
 * envelope, `/health`, `/metrics`, the database pool, Redis and the event bus. It never listens.
 */
export async function createServiceApp<DB>({
  service,
  config,
  publicHealthPath,
  health,
  logger = true,
}: ServiceAppOptions): Promise<ServiceContext<DB>> {
  const app = Fastify({
    logger: logger && {
      level: config.logLevel,
      base: { service },
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    // Quiet by default: no line per request; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: '127.0.0.1,::1',
    bodyLimit: config.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: true, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const { db, sql } = createDatabase<DB>(config.databaseUrl, config.databasePoolSize);
  const redis = createRedis(config.redisUrl, app.log, 'main');
  const events = new EventBus(redis, config.redisUrl, config.redisPrefix, app.log);
  const serviceTokens = new ServiceTokens(config.serviceTokenSecret, service);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app);
  const metrics = registerMetrics(app, service);
  registerHealth(app, { service, paths: ['/health', publicHealthPath], sql, redis, extra: health });

  app.addHook('onClose', async () => {
    await events.close();
    await closeRedis(redis);
    await db.destroy();
  });
  return { app, db, sql, redis, metrics, events, serviceTokens };
}
