import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox, ServiceTokens } from '@flux/server-kit';
import { ErrorBody, MessagingExport, Uuid } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { exportOf, ownFile } from '../people/export.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };
const FileBytes = Type.Unsafe<Readable>({ description: 'the file bytes' });

/** `/internal/*`: for other services only (a service token from auth; nginx does not expose it). */
export const internalRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; serviceTokens: ServiceTokens }> = async (
  app,
  { ctx, serviceTokens },
) => {
  app.addHook('onRequest', async (request) => {
    await serviceTokens.verify(request);
  });

  // people: auth's data export collects a user's messages and files here.
  app.get(
    '/users/:id/export',
    { schema: { params: Type.Object({ id: Uuid }), response: { 200: MessagingExport, ...errors } } },
    async (request) => exportOf(ctx, request.params.id),
  );
  app.get(
    '/users/:id/files/:fileId',
    { schema: { params: Type.Object({ id: Uuid, fileId: Uuid }), response: { 200: FileBytes, ...errors } } },
    async (request, reply) => {
      const { size, body } = await ownFile(ctx, request.params.id, request.params.fileId);
      return reply.header('content-type', 'application/octet-stream').header('content-length', String(size)).send(body);
    },
  );
};
