import { AppError } from '@flux/shared';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { toAppError } from './errors.js';

describe('toAppError', () => {
  it('names the failing field of a validation error', () => {
    const error = Object.assign(new Error('body/email must match format "email"'), {
      validation: [{ instancePath: '/email', message: 'must match format "email"', params: {} }],
      validationContext: 'body',
    });
    const mapped = toAppError(error);
    expect(mapped.status).toBe(400);
    expect(mapped.toBody()).toEqual({
      error: {
        code: 'validation_error',
        message: 'email: must match format "email"',
        details: { in: 'body', field: 'email', fields: [{ field: 'email', message: 'must match format "email"' }] },
      },
    });
  });

  it('names a missing property', () => {
    const error = Object.assign(new Error('x'), {
      validation: [{ instancePath: '', message: "must have required property 'name'", params: { missingProperty: 'name' } }],
    });
    expect(toAppError(error).details).toMatchObject({ field: 'name' });
  });

  it('hides the text of unexpected errors', () => {
    const mapped = toAppError(new Error('connection string postgres://secret@db leaked'));
    expect(mapped.status).toBe(500);
    expect(mapped.message).not.toContain('secret');
  });

  it('keeps AppErrors and their headers', () => {
    const limited = AppError.rateLimited(12.2);
    expect(toAppError(limited)).toBe(limited);
    expect(limited.headers).toEqual({ 'retry-after': '13' });
  });

  it('maps text PostgreSQL cannot store (a NUL character, SQLSTATE 22021) to 400, not 500', () => {
    const error = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    expect(toAppError(error).toBody()).toEqual({ error: { code: 'bad_request', message: expect.stringContaining('NUL') } });
  });

  it('maps framework body errors to 400, 413 and 415', () => {
    const code = (c: string) => toAppError(Object.assign(new Error('x'), { code: c })).status;
    expect(code('FST_ERR_CTP_INVALID_JSON_BODY')).toBe(400);
    expect(code('FST_ERR_CTP_BODY_TOO_LARGE')).toBe(413);
    expect(code('FST_ERR_CTP_INVALID_MEDIA_TYPE')).toBe(415);
  });

  it('maps a command ioredis gave up on (Redis unreachable) to 503 service_unavailable with Retry-After', async () => {
    // Nothing listens on port 1: the real errors ioredis raises, with retries exhausted and with the offline queue off.
    const retried = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, retryStrategy: () => 50, lazyConnect: true });
    const offline = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, retryStrategy: () => null, lazyConnect: true });
    for (const client of [retried, offline]) client.on('error', () => {}); // the refused connects are the point
    try {
      const errors = [await retried.get('k').catch((err: Error) => err), await offline.get('k').catch((err: Error) => err)];
      for (const error of errors) {
        expect(error).toBeInstanceOf(Error);
        const mapped = toAppError(error as Error);
        expect(mapped.status).toBe(503);
        expect(mapped.code).toBe('service_unavailable');
        expect(Number(mapped.headers?.['retry-after'])).toBeGreaterThan(0);
      }
    } finally {
      retried.disconnect();
      offline.disconnect();
    }
  });
});
