import { authenticate } from '@flux/server-kit';
import type { AppContext } from '../context.js';

/**
 * The onRequest hook of every messaging route: a valid access token (before the body is read, so
 * an anonymous caller learns nothing from validation errors), and the caller recorded in the
 * users projection (names for display and mentions).
 */
export const authenticateCaller = (ctx: AppContext) =>
  authenticate(ctx.verifyAccessToken, { check: (caller) => ctx.users.remember(caller) });
