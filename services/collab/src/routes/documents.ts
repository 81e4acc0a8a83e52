import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  CollabDocument,
  CreateDocumentBody,
  DocumentsQuery,
  ErrorBody,
  IdParams,
  NoContent,
  Page,
  TrashedDocument,
  TrashQuery,
  UpdateDocumentBody,
} from '@flux/shared';
import type { AppContext } from '../context.js';
import * as documents from '../documents/service.js';
import { authenticateCaller } from './auth-hook.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody, 503: ErrorBody };

/** `/api/documents` (contract §6): the caller's project role from auth decides; non-members get 404. */
export const documentRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticateCaller(ctx));

  app.post('/', { schema: { body: CreateDocumentBody, response: { 201: CollabDocument, ...errors } } }, async (request, reply) =>
    reply.code(201).send(await documents.create(ctx, request.caller, request.body)),
  );
  app.get('/', { schema: { querystring: DocumentsQuery, response: { 200: Page(CollabDocument), ...errors } } }, async (request) =>
    documents.list(ctx, request.caller, request.query),
  );
  app.get('/trash', { schema: { querystring: TrashQuery, response: { 200: Page(TrashedDocument), ...errors } } }, async (request) =>
    documents.listTrash(ctx, request.caller, request.query),
  );
  app.delete('/trash/:id', { schema: { params: IdParams, response: { 204: NoContent, ...errors } } }, async (request, reply) => {
    await documents.deleteForever(ctx, request.caller, request.params.id);
    return reply.code(204).send(null);
  });
  app.get('/:id', { schema: { params: IdParams, response: { 200: CollabDocument, ...errors } } }, async (request) =>
    documents.get(ctx, request.caller, request.params.id),
  );
  app.patch(
    '/:id',
    { schema: { params: IdParams, body: UpdateDocumentBody, response: { 200: CollabDocument, ...errors } } },
    async (request) => documents.rename(ctx, request.caller, request.params.id, request.body.title),
  );
  app.post('/:id/restore', { schema: { params: IdParams, response: { 200: CollabDocument, ...errors } } }, async (request) =>
    documents.restore(ctx, request.caller, request.params.id),
  );
  // Moves it to the trash (restorable for COLLAB_TRASH_DAYS); the purge job deletes it after.
  app.delete('/:id', { schema: { params: IdParams, response: { 204: NoContent, ...errors } } }, async (request, reply) => {
    await documents.remove(ctx, request.caller, request.params.id);
    return reply.code(204).send(null);
  });
};
