import { Type, type Static } from '@sinclair/typebox';
import type { ErrorCode } from './constants.js';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** One error type for every service: a code, an HTTP status and optional details (contract §3). */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details !== undefined && { details: this.details }) } };
  }

  static validation(field: string, message: string): AppError {
    return new AppError('validation_error', 400, `${field}: ${message}`, { field, fields: [{ field, message }] });
  }
  static unauthorized(message = 'Sign in to continue.', code: ErrorCode = 'unauthorized'): AppError {
    return new AppError(code, 401, message);
  }
  static forbidden(message = 'You do not have access to this resource.'): AppError {
    return new AppError('forbidden', 403, message);
  }
  static notFound(what = 'Resource'): AppError {
    return new AppError('not_found', 404, `${what} not found.`);
  }
  static conflict(code: ErrorCode, message: string): AppError {
    return new AppError(code, 409, message);
  }
  static rateLimited(retryAfterSeconds: number, message = 'Too many requests; try again later.'): AppError {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    return new AppError('rate_limited', 429, message, { retryAfter: seconds }, { 'retry-after': String(seconds) });
  }
}
