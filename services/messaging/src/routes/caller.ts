import { authenticate, type AccessTokenVerifier } from '@flux/server-kit';
import type { FastifyRequest } from 'fastify';
import type { Caller, Context } from '../context.js';

export const callerOf = (request: FastifyRequest): Caller => ({ id: request.user.sub, name: request.user.name, email: request.user.email });

/**
 * An onRequest hook (before the body is read: an anonymous caller learns nothing from
 * validation errors) that verifies the bearer token and makes sure the caller is in the
 * users projection.
 */
export function requireCaller(ctx: Context, verify: AccessTokenVerifier) {
  const check = authenticate(verify);
  return async (request: FastifyRequest): Promise<void> => {
    await check(request);
    await ctx.users.remember({ id: request.user.sub, name: request.user.name, email: request.user.email });
  };
}
