import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { CreateVersionBody, DocumentVersion, ErrorBody, IdParams, Page, VersionParams } from '@flux/shared';
import type { AppContext } from '../context.js';
import * as versions from '../versions/service.js';
import { authenticateCaller } from './auth-hook.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody, 503: ErrorBody };

/** `/api/documents/:id/versions` (contract §6): named snapshots of a document and their live restore. */
export const versionRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticateCaller(ctx));

  app.post(
    '/',
    { schema: { params: IdParams, body: CreateVersionBody, response: { 201: DocumentVersion, ...errors } } },
    async (request, reply) => reply.code(201).send(await versions.create(ctx, request.caller, request.params.id, request.body.name)),
  );
  app.get('/', { schema: { params: IdParams, response: { 200: Page(DocumentVersion), ...errors } } }, async (request) => ({
    items: await versions.list(ctx, request.caller, request.params.id),
    nextCursor: null,
  }));
  app.post('/:versionId/restore', { schema: { params: VersionParams, response: { 200: DocumentVersion, ...errors } } }, async (request) =>
    versions.restore(ctx, request.caller, request.params.id, request.params.versionId),
  );
};
