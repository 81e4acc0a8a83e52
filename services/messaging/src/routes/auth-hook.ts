import { authenticate } from '@flux/server-kit';
import { AppError } from '@flux/shared';
import type { AppContext } from '../context.js';

/**
 * The onRequest hook of every messaging route: a valid access token (before the body is read, so
 * an anonymous caller learns nothing from validation errors) of a session auth has not signed
 * out since (`sessions.revoked`), and the caller recorded in the users projection.
 */
export const authenticateCaller = (ctx: AppContext) =>
  authenticate(ctx.verifyAccessToken, {
    check: async (caller) => {
      if (await ctx.revokedSessions.isRevoked(caller.sessionId)) {
        throw AppError.unauthorized('This session has ended; sign in again.', 'invalid_token');
      }
      await ctx.users.remember(caller);
    },
  });
