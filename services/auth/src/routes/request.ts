import { authenticate } from '@flux/server-kit';
import { AppError } from '@flux/shared';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { DEVICE_COOKIE, isDeviceId } from '../security/devices.js';
import { type RequestMeta, recordSecurityEvent } from '../security/events.js';
import { noteRequestBurst } from '../security/limits.js';
import { isSessionActive } from '../sessions/service.js';

export const requestMeta = (request: FastifyRequest): RequestMeta => ({
  ip: request.ip ?? null,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
  deviceId: isDeviceId(request.cookies?.[DEVICE_COOKIE]) ? request.cookies[DEVICE_COOKIE] : null,
});

/**
 * Bearer authentication for auth's own routes (an onRequest hook that sets `request.caller`).
 * Unlike other services it also checks that the session is still live, so logout and revocation
 * take effect here at once.
 */
export const authenticated = (ctx: AppContext) =>
  authenticate(ctx.verifyAccessToken, {
    check: async (caller, request) => {
      if (!(await isSessionActive(ctx, caller.sessionId)))
        throw AppError.unauthorized('This session has ended; sign in again.', 'invalid_token');
      if (await noteRequestBurst(ctx, caller.sessionId))
        await recordSecurityEvent(ctx, ctx.db, {
          type: 'anomaly_request_burst',
          userId: caller.id,
          meta: requestMeta(request),
          metadata: { sessionId: caller.sessionId, perMinute: ctx.config.requestBurstPerMinute },
        });
    },
  });
