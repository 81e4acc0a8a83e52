import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, type ServiceName } from '@flux/shared';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { defaultTrustedProxies, type BaseConfig } from './config.js';
import { runWithRequestId } from './request-context.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface CreateFastifyOptions {
  service: ServiceName;
  /** trustedProxies defaults to loopback (tests build partial configs). */
  config: Pick<BaseConfig, 'logLevel' | 'bodyLimit'> & Partial<Pick<BaseConfig, 'trustedProxies'>>;
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
    // request.ip is X-Forwarded-For only when the peer is one of these proxies; anyone else is its own address.
    trustProxy: config.trustedProxies ?? defaultTrustedProxies,
    bodyLimit: config.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: true, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // Refused before routing, so the error handler never sees them: a malformed percent-escape in the
    // path (`/api/files/%`) or a path parameter over maxParamLength. Fastify's own body is not the
    // contract's; answer the same status with ours.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const status = tooLong ? 414 : error.code === 'FST_ERR_BAD_URL' ? 400 : 500;
      const message = tooLong
        ? 'A path segment is too long.'
        : status === 400
          ? 'The path is not valid (malformed percent-encoding).'
          : 'Something went wrong on our side; try again.';
      // The option's reply is typed by the route generics, which a refusal before routing has none of.
      void (reply as FastifyReply)
        .code(status)
        .send(new AppError(status === 500 ? 'internal_error' : 'bad_request', status, message).toBody());
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // ajv coerces a numeric string beyond a double ("1e400", 400 nines) to Infinity, which passes
  // `integer` and skips minimum/maximum (ajv checks those on finite numbers only): refuse it once
  // validation is done, before any handler reads it (a LIMIT of Infinity was a 500).
  app.addHook('preHandler', async (request) => {
    for (const [part, value] of [
      ['querystring', request.query],
      ['params', request.params],
      ['body', request.body],
    ] as const) {
      const field = nonFiniteField(value);
      if (field !== undefined) throw new AppError('validation_error', 400, `${field}: must be a finite number`, { in: part, field });
    }
  });
  // Callback style on purpose: `done` runs inside the context, so every later hook and the handler see it.
  app.addHook('onRequest', (request, _reply, done) => runWithRequestId(request.id, done));
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  return app;
}

/** The path of the first ±Infinity or NaN in a parsed request part (walked without recursion), if any. */
function nonFiniteField(value: unknown): string | undefined {
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === 'number' && !Number.isFinite(item)) return path || '(root)';
    if (item && typeof item === 'object')
      for (const [key, child] of Object.entries(item)) pending.push([child, path ? `${path}.${key}` : key]);
  }
  return undefined;
}
