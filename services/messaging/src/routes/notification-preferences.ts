import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { ErrorBody, NotificationPreferences, UpdateNotificationPreferences } from '@flux/shared';
import type { AppContext } from '../context.js';
import * as preferences from '../notifications/preferences.js';
import { authenticateCaller } from './auth-hook.js';

const errors = { 400: ErrorBody, 401: ErrorBody };

/** `/api/notifications/preferences`: the caller's own choices (mentions, direct messages, the email digest). */
export const notificationPreferenceRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticateCaller(ctx));

  app.get('/preferences', { schema: { response: { 200: NotificationPreferences, ...errors } } }, async (request) =>
    preferences.get(ctx.db, request.caller),
  );

  app.patch(
    '/preferences',
    { schema: { body: UpdateNotificationPreferences, response: { 200: NotificationPreferences, ...errors } } },
    async (request) => preferences.update(ctx.db, request.caller, request.body),
  );
};
