import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { ErrorBody, IdParams, NoContent, Page, Pin } from '@flux/shared';
import type { AppContext } from '../context.js';
import * as pins from '../pins/service.js';
import { authenticateCaller } from './auth-hook.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };

/** `/api/conversations/:id/pins`: a conversation's pinned messages. */
export const conversationPinRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticateCaller(ctx));

  app.get('/:id/pins', { schema: { params: IdParams, response: { 200: Page(Pin), ...errors } } }, async (request) => ({
    items: await pins.list(ctx, request.caller, request.params.id),
    nextCursor: null,
  }));
};

/** `/api/messages/:id/pin`: pin and unpin one message. */
export const messagePinRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticateCaller(ctx));

  app.put('/:id/pin', { schema: { params: IdParams, response: { 200: Pin, ...errors } } }, async (request) =>
    pins.pin(ctx, request.caller, request.params.id),
  );

  app.delete('/:id/pin', { schema: { params: IdParams, response: { 204: NoContent, ...errors } } }, async (request, reply) => {
    await pins.unpin(ctx, request.caller, request.params.id);
    return reply.code(204).send(null);
  });
};
