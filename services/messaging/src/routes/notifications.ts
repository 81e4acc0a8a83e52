import type { AccessTokenVerifier, FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { ErrorBody, IdParams, Notification, NotificationsQuery, Page } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { Context } from '../context.js';
import * as notifications from '../notifications/service.js';
import { callerOf, requireCaller } from './caller.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };

export const notificationRoutes: FastifyPluginAsyncTypebox<{ ctx: Context; verify: AccessTokenVerifier }> = async (
  app,
  { ctx, verify },
) => {
  app.addHook('onRequest', requireCaller(ctx, verify));

  app.get(
    '/api/notifications',
    { schema: { querystring: NotificationsQuery, response: { 200: Page(Notification), ...errors } } },
    async (request) => notifications.list(ctx, callerOf(request), request.query),
  );

  app.post(
    '/api/notifications/read-all',
    { schema: { response: { 200: Type.Object({ updated: Type.Integer() }), ...errors } } },
    async (request) => notifications.markAllRead(ctx, callerOf(request)),
  );

  app.post('/api/notifications/:id/read', { schema: { params: IdParams, response: { 200: Notification, ...errors } } }, async (request) =>
    notifications.markRead(ctx, callerOf(request), request.params.id),
  );
};
