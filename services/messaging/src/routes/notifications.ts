import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { ErrorBody, IdParams, Notification, NotificationsQuery, Page } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import * as notifications from '../notifications/service.js';
import { authenticateCaller } from './auth-hook.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };

/** `/api/notifications`: the caller's own notifications. */
export const notificationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticateCaller(ctx));

  app.get('/', { schema: { querystring: NotificationsQuery, response: { 200: Page(Notification), ...errors } } }, async (request) =>
    notifications.list(ctx, request.caller, request.query),
  );

  app.post('/read-all', { schema: { response: { 200: Type.Object({ updated: Type.Integer() }), ...errors } } }, async (request) =>
    notifications.markAllRead(ctx, request.caller),
  );

  app.post('/:id/read', { schema: { params: IdParams, response: { 200: Notification, ...errors } } }, async (request) =>
    notifications.markRead(ctx, request.caller, request.params.id),
  );
};
