import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { ErrorBody, OutboxMail, Page } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { readOutbox } from '../mail/mailer.js';

/** `GET /api/auth/dev/outbox?to=`: mail captured without SMTP. Registered only outside production. */
export const devOutboxRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
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
