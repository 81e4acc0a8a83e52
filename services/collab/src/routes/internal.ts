import type { FastifyPluginAsyncTypebox, ServiceTokens } from '@flux/server-kit';
import { CollabExport, DocumentAccess, DocumentAccessQuery, ErrorBody, IdParams } from '@flux/shared';
import type { AppContext } from '../context.js';
import { documentAccess } from '../documents/access.js';
import { documentsOf } from '../people/export.js';

const errors = { 400: ErrorBody, 401: ErrorBody };

/** `/internal/*`: for other services only (a service token; nginx does not expose it). */
export const internalRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; serviceTokens: ServiceTokens }> = async (
  app,
  { ctx, serviceTokens },
) => {
  app.addHook('onRequest', async (request) => {
    await serviceTokens.verify(request);
  });

  // people: auth's data export collects the documents a user created here.
  app.get('/users/:id/documents', { schema: { params: IdParams, response: { 200: CollabExport, ...errors } } }, async (request) =>
    documentsOf(ctx.db, request.params.id),
  );

  // richtext: messaging asks whether a user may add an image to a document (a writer) or see its images (a reader).
  app.get(
    '/documents/:id/access',
    {
      schema: {
        params: IdParams,
        querystring: DocumentAccessQuery,
        response: { 200: DocumentAccess, ...errors, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => documentAccess(ctx, request.params.id, request.query.userId),
  );
};
