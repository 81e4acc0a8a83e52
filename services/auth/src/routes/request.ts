import { bearerToken } from '@flux/server-kit';
import { AppError } from '@flux/shared';
import type { FastifyRequest } from 'fastify';
import type { AuthContext } from '../context.js';
import type { RequestMeta } from '../security/events.js';
import { isSessionActive } from '../sessions/service.js';

export const requestMeta = (request: FastifyRequest): RequestMeta => ({
  ip: request.ip ?? null,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
});

/**
 * Bearer authentication for auth's own routes. Unlike other services it also checks that the
 * session is still live, so logout and revocation take effect here at once.
 */
export function requireUser(ctx: AuthContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    if (!token) throw AppError.unauthorized();
    const claims = await ctx.verifyAccessToken(token);
    if (!(await isSessionActive(ctx, claims.sid))) throw AppError.unauthorized('This session has ended; sign in again.', 'invalid_token');
    request.user = claims;
  };
}
