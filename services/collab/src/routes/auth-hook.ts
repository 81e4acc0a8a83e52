import { authenticate } from '@flux/server-kit';
import { AppError } from '@flux/shared';
import type { AppContext } from '../context.js';

/** The onRequest hook of collab's REST routes: a valid access token of a session auth has not signed out since. */
export const authenticateCaller = (ctx: AppContext) =>
  authenticate(ctx.verifyAccessToken, {
    check: async (caller) => {
      if (await ctx.sessions.revoked.isRevoked(caller.sessionId)) {
        throw AppError.unauthorized('This session has ended; sign in again.', 'invalid_token');
      }
    },
  });
