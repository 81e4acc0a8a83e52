import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { AvatarQuery, ErrorBody, IdParams, Page, Person, UserSearchQuery } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import * as people from '../people/service.js';
import * as users from '../users/service.js';
import { authenticated } from './request.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };
const ImageBytes = Type.Unsafe<Buffer>({ description: 'a WebP image' });
/** A versioned URL never changes content: cached for a year, not even revalidated. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

/** `/api/users*` (contract §4): only people who share an organization with the caller. */
export const userRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticated(ctx));

  // The first `limit` matches by name (no further pages): a longer `q` narrows them.
  app.get('/', { schema: { querystring: UserSearchQuery, response: { 200: Page(Person), ...errors } } }, async (request) => ({
    items: await users.search(ctx, request.caller, request.query),
    nextCursor: null,
  }));
  app.get('/:id', { schema: { params: IdParams, response: { 200: Person, ...errors } } }, async (request) =>
    users.get(ctx, request.caller, request.params.id),
  );

  // Seen by whoever may see the person; the bearer token makes it private (browsers cache it, shared caches do not).
  app.get(
    '/:id/avatar',
    { schema: { params: IdParams, querystring: AvatarQuery, response: { 200: ImageBytes, 304: Type.Null(), ...errors } } },
    async (request, reply) => {
      await users.get(ctx, request.caller, request.params.id);
      const { version, image } = await people.avatar(ctx, request.params.id);
      const etag = `"${request.params.id}-${version}"`;
      reply.header('etag', etag).header('cache-control', request.query.v === version ? IMMUTABLE : 'private, no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return reply.header('content-type', 'image/webp').header('x-content-type-options', 'nosniff').send(image);
    },
  );
};
