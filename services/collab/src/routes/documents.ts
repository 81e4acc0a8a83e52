import { authenticate, type FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  CollabDocument,
  UpdateDocumentBody,
  CreateDocumentBody,
  CreateVersionBody,
  DocumentsQuery,
  DocumentVersion,
  ErrorBody,
  IdParams,
  Page,
  VersionParams,
} from '@flux/shared';
import type { CollabContext } from '../context.js';
import * as documents from '../documents/service.js';
import * as versions from '../versions/service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody };

/** `/api/documents*` (contract §6): the caller's project role from auth decides; non-members get 404. */
export const documentRoutes: FastifyPluginAsyncTypebox<{ ctx: CollabContext }> = async (app, { ctx }) => {
  app.addHook('preHandler', authenticate(ctx.verifyAccessToken));

  app.post('/', { schema: { body: CreateDocumentBody, response: { 201: CollabDocument, ...errors } } }, async (request, reply) =>
    reply.code(201).send(await documents.create(ctx, request.user, request.body)),
  );
  app.get('/', { schema: { querystring: DocumentsQuery, response: { 200: Page(CollabDocument), ...errors } } }, async (request) =>
    documents.list(ctx, request.user, request.query),
  );
  app.get('/:id', { schema: { params: IdParams, response: { 200: CollabDocument, ...errors } } }, async (request) =>
    documents.get(ctx, request.user, request.params.id),
  );
  app.patch(
    '/:id',
    { schema: { params: IdParams, body: UpdateDocumentBody, response: { 200: CollabDocument, ...errors } } },
    async (request) => documents.rename(ctx, request.user, request.params.id, request.body.title),
  );
  app.delete('/:id', { schema: { params: IdParams, response: { 204: { type: 'null' }, ...errors } } }, async (request, reply) => {
    await documents.remove(ctx, request.user, request.params.id);
    return reply.code(204).send();
  });

  app.post(
    '/:id/versions',
    { schema: { params: IdParams, body: CreateVersionBody, response: { 201: DocumentVersion, ...errors } } },
    async (request, reply) => reply.code(201).send(await versions.create(ctx, request.user, request.params.id, request.body.name)),
  );
  app.get('/:id/versions', { schema: { params: IdParams, response: { 200: Page(DocumentVersion), ...errors } } }, async (request) => ({
    items: await versions.list(ctx, request.user, request.params.id),
    nextCursor: null,
  }));
  app.post(
    '/:id/versions/:versionId/restore',
    { schema: { params: VersionParams, response: { 200: DocumentVersion, ...errors } } },
    async (request) => versions.restore(ctx, request.user, request.params.id, request.params.versionId),
  );
};
