import type { FastifyPluginAsyncTypebox, ServiceTokens } from '@flux/server-kit';
import { CollabExport, ErrorBody, IdParams } from '@flux/shared';
import type { AppContext } from '../context.js';
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
};
