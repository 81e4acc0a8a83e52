import { type FastifyPluginAsyncTypebox, isUuid, type ServiceTokens } from '@flux/server-kit';
import {
  AppError,
  ErrorBody,
  IdParams,
  InternalUser,
  InternalMail,
  InternalMailSent,
  InternalUserList,
  ProjectAccess,
  ProjectMembers,
  SharedOrganizationIds,
  SharedOrganizationQuery,
  Uuid,
} from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import * as internal from '../internal/service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };
/** Ids per `GET /internal/users?ids=` call; `AuthClient.users` splits longer lists into calls of this size. */
const MAX_USER_IDS = 100;

/** `/internal/*`: for other services only (service token; nginx does not expose it). */
export const internalRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; serviceTokens: ServiceTokens }> = async (
  app,
  { ctx, serviceTokens },
) => {
  // onRequest, like user authentication: a caller without a service token learns nothing from validation errors.
  app.addHook('onRequest', async (request) => {
    await serviceTokens.verify(request);
  });

  app.get('/users/:id', { schema: { params: IdParams, response: { 200: InternalUser, ...errors } } }, async (request) =>
    internal.user(ctx, request.params.id),
  );
  app.get(
    '/users',
    {
      schema: {
        querystring: Type.Object({
          ids: Type.Optional(Type.String({ maxLength: 10_000 })),
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        }),
        response: { 200: InternalUserList, ...errors },
      },
    },
    async (request) => {
      const ids = request.query.ids
        ?.split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      if (ids && (ids.length > MAX_USER_IDS || ids.some((id) => !isUuid(id))))
        throw AppError.validation('ids', `must be up to ${MAX_USER_IDS} comma-separated uuids`);
      return { items: await internal.users(ctx, { ids, name: request.query.name }) };
    },
  );
  app.post(
    '/users/shared-organization',
    { schema: { body: SharedOrganizationQuery, response: { 200: SharedOrganizationIds, ...errors } } },
    async (request) => ({ ids: await internal.sharingOrganization(ctx, request.body.userId, request.body.otherIds) }),
  );
  app.get(
    '/projects/:id/access',
    { schema: { params: IdParams, querystring: Type.Object({ userId: Uuid }), response: { 200: ProjectAccess, ...errors } } },
    async (request) => internal.projectAccess(ctx, request.params.id, request.query.userId),
  );
  app.get('/projects/:id/members', { schema: { params: IdParams, response: { 200: ProjectMembers, ...errors } } }, async (request) =>
    internal.projectMembers(ctx, request.params.id),
  );
  // people: messaging's digest mail goes out through auth, which holds the addresses and the mailer (SMTP or the dev outbox).
  app.post(
    '/users/:id/mail',
    { schema: { params: IdParams, body: InternalMail, response: { 200: InternalMailSent, ...errors } } },
    async (request) => {
      await internal.mailUser(ctx, request.params.id, request.body);
      return { sent: true };
    },
  );
};
