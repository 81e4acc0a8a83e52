import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { ErrorBody, IdParams, Page, UserSearchQuery, UserSummary } from '@flux/shared';
import type { AppContext } from '../context.js';
import * as users from '../users/service.js';
import { authenticated } from './request.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };

/** `/api/users*` (contract §4): only people who share an organization with the caller. */
export const userRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticated(ctx));

  // The first `limit` matches by name (no further pages): a longer `q` narrows them.
  app.get('/', { schema: { querystring: UserSearchQuery, response: { 200: Page(UserSummary), ...errors } } }, async (request) => ({
    items: await users.search(ctx, request.caller, request.query),
    nextCursor: null,
  }));
  app.get('/:id', { schema: { params: IdParams, response: { 200: UserSummary, ...errors } } }, async (request) =>
    users.get(ctx, request.caller, request.params.id),
  );
};
