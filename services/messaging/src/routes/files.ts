import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import { type FastifyPluginAsyncTypebox, isUuid } from '@flux/server-kit';
import { AppError, ErrorBody, FileInfo, FileParams, NoContent } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { contentDisposition } from '../files/names.js';
import * as files from '../files/service.js';
import { authenticateCaller } from './auth-hook.js';

/** The file's bytes: a stream, which fastify pipes as it is (a schema never serializes a stream). */
const FileBytes = Type.Unsafe<Readable>({ description: 'the file bytes' });
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody };

/** `/api/files`: uploads and downloads. */
export const fileRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Parts stream straight to storage; only one file per request, no other fields kept in memory.
  await app.register(multipart, { limits: { fileSize: ctx.config.maxFileSize, files: 1, fields: 5, fieldSize: 1024, parts: 10 } });
  app.addHook('onRequest', authenticateCaller(ctx));

  app.post('/', { schema: { response: { 201: FileInfo, ...errors } } }, async (request, reply) => {
    if (!request.isMultipart()) throw new AppError('unsupported_media_type', 415, 'Upload files as multipart/form-data.');
    // A body the multipart parser cannot start on (no boundary) is malformed input, not our failure;
    // its own errors (a file over the size limit) carry their status already.
    const part = await request.file().catch((err: unknown) => {
      if (err instanceof Error && !('statusCode' in err))
        throw new AppError('bad_request', 400, `Malformed multipart body: ${err.message}`);
      throw err;
    });
    if (!part) throw AppError.validation('file', 'a file part is required');
    // Fields sent before the file part: `documentId` uploads into a collab document (its images).
    const field = part.fields.documentId;
    const documentId = field && !Array.isArray(field) && field.type === 'field' ? String(field.value) : undefined;
    if (documentId !== undefined && !isUuid(documentId)) {
      part.file.resume();
      throw AppError.validation('documentId', 'must be a document id');
    }
    return reply.code(201).send(await files.upload(ctx, request.caller, { filename: part.filename, stream: part.file, documentId }));
  });

  app.delete('/:id', { schema: { params: FileParams, response: { 204: NoContent, ...errors } } }, async (request, reply) => {
    await files.remove(ctx, request.caller, request.params.id);
    return reply.code(204).send(null);
  });

  app.get(
    '/:id',
    { schema: { params: FileParams, response: { 200: FileBytes, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => {
      const { file, body } = await files.download(ctx, request.caller, request.params.id);
      return reply
        .header('content-type', file.mime_type)
        .header('content-length', String(file.size))
        .header('content-disposition', contentDisposition(file.name))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=0, must-revalidate')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(body);
    },
  );
};
