import { timingSafeEqual } from 'node:crypto';
import { AppError } from '@flux/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { DEVICE_COOKIE } from '../security/devices.js';
import { randomToken } from '../tokens/opaque.js';

export const REFRESH_COOKIE = 'flux_refresh';
export const CSRF_COOKIE = 'flux_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** Both cookies live only under /api/auth, never reach JavaScript, and never leave the site. */
const cookieOptions = (config: Config, maxAgeSeconds: number) => ({
  path: '/api/auth',
  httpOnly: true,
  sameSite: 'strict' as const,
  secure: config.publicUrl.startsWith('https:'),
  maxAge: maxAgeSeconds,
});

export function setRefreshCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(REFRESH_COOKIE, token, cookieOptions(config, config.refreshTokenTtlSeconds));
}

/** The browser's device id (security/devices.ts): kept about a year, renewed at each sign-in. */
export function setDeviceCookie(reply: FastifyReply, config: Config, deviceId: string): void {
  reply.setCookie(DEVICE_COOKIE, deviceId, cookieOptions(config, 400 * 86_400));
}

export function clearRefreshCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(REFRESH_COOKIE, { ...cookieOptions(config, 0), maxAge: undefined });
}

/** Issues a CSRF token: the same random value in a cookie and in the body, to be echoed in X-CSRF-Token. */
export function issueCsrfToken(reply: FastifyReply, config: Config): string {
  const token = randomToken();
  reply.setCookie(CSRF_COOKIE, token, cookieOptions(config, config.sessionMaxAgeSeconds));
  return token;
}

const same = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * A request that authenticates with the refresh cookie must echo the CSRF cookie in X-CSRF-Token:
 * another site can make the browser send cookies but cannot read them to set the header.
 */
export function assertCsrf(request: FastifyRequest): void {
  const header = request.headers[CSRF_HEADER];
  const cookie = request.cookies[CSRF_COOKIE];
  if (typeof header !== 'string' || !cookie || !same(header, cookie)) {
    throw new AppError('csrf_failed', 403, 'This request needs the X-CSRF-Token header from GET /api/auth/csrf.');
  }
}

export const refreshCookie = (request: FastifyRequest): string | undefined => request.cookies[REFRESH_COOKIE] || undefined;
