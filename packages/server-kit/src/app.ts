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
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { BaseConfig } from './config.js';
import type { Database } from './db.js';
import type { EventBus } from './events.js';
import type { HealthExtra } from './health.js';
import { fluxCore } from './plugins/core.js';
import type { ServiceTokens } from './service-token.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface CreateFastifyOptions {
  service: ServiceName;
  config: Pick<BaseConfig, 'logLevel' | 'bodyLimit'>;
  /** Pass `false` in tests to silence logs. */
  logger?: boolean;
}

/**
 * The bare fastify instance every service starts from: logging, request ids, trusted proxy,
 * body limit and validation settings. No resources yet (register `fluxCore`, then the
 * service's own plugins); it never listens.
 */
export function createFastify({ service, config, logger = true }: CreateFastifyOptions): App {
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
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  return app;
}

/**
 * What every service gets: the app plus its process-wide resources, closed with the app.
 * @deprecated read the decorators instead (`app.db`, `app.redis`, `app.events`, …).
 */
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
  health?: HealthExtra;
  /** Pass `false` in tests to silence logs. */
  logger?: boolean;
}

/**
 * `createFastify` plus the core plugins (`fluxCore`), returning the decorated resources.
 * Kept while services move to `createFastify` + `app.register(fluxCore, …)` + decorators.
 */
export async function createServiceApp<DB>({
  service,
  config,
  publicHealthPath,
  health,
  logger = true,
}: ServiceAppOptions): Promise<ServiceContext<DB>> {
  const app = createFastify({ service, config, logger });
  await app.register(fluxCore, { config: { ...config, service }, publicHealthPath, health });
  const db: Kysely<DB> = app.db;
  return { app, db, sql: app.sql, redis: app.redis, metrics: app.metrics, events: app.events, serviceTokens: app.serviceTokens };
}
