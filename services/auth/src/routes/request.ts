import { authenticate } from '@flux/server-kit';
import { AppError } from '@flux/shared';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { RequestMeta } from '../security/events.js';
import { isSessionActive } from '../sessions/service.js';

export const requestMeta = (request: FastifyRequest): RequestMeta => ({
  ip: request.ip ?? null,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
});

/**
 * Bearer authentication for auth's own routes (an onRequest hook that sets `request.caller`).
 * Unlike other services it also checks that the session is still live, so logout and revocation
 * take effect here at once.
 */
export const authenticated = (ctx: AppContext) =>
  authenticate(ctx.verifyAccessToken, {
    check: async (caller) => {
      if (!(await isSessionActive(ctx, caller.sessionId)))
        throw AppError.unauthorized('This session has ended; sign in again.', 'invalid_token');
    },
  });
