import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { AppError, ErrorBody, OutboxMail, Page } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { readOutbox } from '../mail/mailer.js';

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (`::ffff:127.0.0.1`). */
export const isLoopback = (ip: string): boolean => /^(?:::ffff:)?127(?:\.\d{1,3}){3}$/.test(ip) || ip === '::1';

/**
 * `GET /api/auth/dev/outbox?to=`: mail captured without SMTP. Registered only outside production,
 * and only for a caller on this machine: `request.ip` is the socket's address, or — when the socket
 * is the trusted proxy (nginx, which sets X-Forwarded-For to `$remote_addr`) — the client's real
 * address, never a header the client wrote. Anyone else gets the 404 of a route that does not exist.
 */
export const devOutboxRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', async (request) => {
    if (!isLoopback(request.ip)) throw new AppError('not_found', 404, `No route for ${request.method} ${request.url.split('?')[0]}.`);
  });
  app.get(
    '/outbox',
    {
      schema: {
        querystring: Type.Object({ to: Type.String({ minLength: 1, maxLength: 254 }) }),
        response: { 200: Page(OutboxMail), 400: ErrorBody },
      },
    },
    async (request) => ({ items: await readOutbox(ctx.db, request.query.to), nextCursor: null }),
  );
};
