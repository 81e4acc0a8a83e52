import { AppError, type ErrorBody, type ErrorCode } from '@flux/shared';
import type { FastifyError, FastifyInstance } from 'fastify';
import { isDatabaseUnavailable } from './db.js';

interface ValidationIssue {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldOf(issue: ValidationIssue): string {
  const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = issue.params?.missingProperty;
  if (typeof missing === 'string') return path ? `${path}.${missing}` : missing;
  const extra = issue.params?.additionalProperty;
  if (typeof extra === 'string') return path ? `${path}.${extra}` : extra;
  return path || '(root)';
}

/** Fastify's own error codes for bad input, mapped to the contract's envelope. */
const frameworkErrors: Record<string, { status: number; code: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: 'The request body is empty; send a JSON object.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'Unsupported Content-Type; send application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'validation_error', message: 'Content-Length does not match the body.' },
};

/** Seconds a client is told to wait before retrying while PostgreSQL is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** A 503 for a dependency that is unreachable right now: the client may retry the request as is. */
function dependencyUnavailable(message: string): AppError {
  return new AppError(
    'service_unavailable',
    503,
    message,
    { retryAfter: DATABASE_RETRY_AFTER_SECONDS },
    { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
  );
}

/** The 503 for a request whose query could not reach PostgreSQL. */
export const databaseUnavailable = (): AppError => dependencyUnavailable('The database is unreachable right now; try again shortly.');

/**
 * ioredis gave up on a command because Redis is unreachable (its retries ran out, or the connection
 * is closed): most paths fall back without Redis, and one that cannot is a 503 to retry, not a bug.
 */
export function isRedisUnavailable(err: unknown): boolean {
  const { name, message } = (err ?? {}) as { name?: string; message?: string };
  return (
    name === 'MaxRetriesPerRequestError' || message === 'Connection is closed.' || /enableOfflineQueue options is false/.test(message ?? '')
  );
}

export function toAppError(error: FastifyError | AppError | Error): AppError {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  if (isRedisUnavailable(error)) return dependencyUnavailable('A service this request needs is unreachable right now; try again shortly.');
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const context = fastifyError.validationContext ?? 'body';
    const fields = (fastifyError.validation as ValidationIssue[]).map((issue) => ({
      field: fieldOf(issue),
      message: issue.message ?? 'is invalid',
    }));
    // ajv reports at least one issue; the fallback only satisfies the type.
    const first = fields[0] ?? { field: '(root)', message: 'is invalid' };
    return new AppError('validation_error', 400, `${first.field}: ${first.message}`, { in: context, field: first.field, fields });
  }
  // PostgreSQL cannot store some text a client can send (a NUL character, SQLSTATE 22021): bad input, not our failure.
  if (fastifyError.code === '22021') return new AppError('bad_request', 400, 'Text may not contain NUL (\\u0000) characters.');
  const known = fastifyError.code ? frameworkErrors[fastifyError.code] : undefined;
  if (known) return new AppError(known.code, known.status, known.message);
  const status = fastifyError.statusCode ?? 500;
  if (status === 429) return AppError.rateLimited(Number((fastifyError as { retryAfter?: number }).retryAfter ?? 60));
  if (status >= 400 && status < 500) return new AppError(status === 404 ? 'not_found' : 'bad_request', status, fastifyError.message);
  return new AppError('internal_error', 500, 'Something went wrong on our side; try again, and tell us the request id if it persists.');
}

/** One handler for every error: the contract's envelope, never a stack, 5xx logged and reported with the request id. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error);
    // An outage is not a bug: logged once per request as a warning, not reported.
    if (appError.code === 'service_unavailable') request.log.warn({ err: error, reqId: request.id }, 'dependency unavailable');
    else if (appError.status >= 500) {
      request.log.error({ err: error, reqId: request.id }, 'request failed');
      // Decorated by fluxErrorReporting when it is registered (fluxCore does, before this handler).
      const reporter = app.hasDecorator('errorReporter') ? app.errorReporter : undefined;
      reporter?.capture(error, { source: 'request', requestId: request.id, method: request.method, route: request.routeOptions.url });
    }
    const body: ErrorBody = appError.toBody();
    if (appError.status >= 500) (body.error as { requestId?: string }).requestId = request.id;
    void reply
      .code(appError.status)
      .headers(appError.headers ?? {})
      .send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(new AppError('not_found', 404, `No route for ${request.method} ${request.url.split('?')[0]}.`).toBody());
  });
}
