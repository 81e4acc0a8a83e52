import type { FastifyPluginAsyncTypebox, ServiceTokens } from '@flux/server-kit';
import { DocumentAccess, DocumentAccessQuery, ErrorBody, IdParams } from '@flux/shared';
import type { AppContext } from '../context.js';
import { documentAccess } from '../documents/access.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 503: ErrorBody };

/** `/internal/documents/*`: for other services only (a service token; nginx does not expose /internal). */
export const internalDocumentRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; serviceTokens: ServiceTokens }> = async (
  app,
  { ctx, serviceTokens },
) => {
  app.addHook('onRequest', async (request) => {
    await serviceTokens.verify(request);
  });

  // messaging: may this user attach an image to the document (a writer), or see its images (a reader)?
  app.get(
    '/:id/access',
    { schema: { params: IdParams, querystring: DocumentAccessQuery, response: { 200: DocumentAccess, ...errors } } },
    async (request) => documentAccess(ctx, request.params.id, request.query.userId),
  );
};
