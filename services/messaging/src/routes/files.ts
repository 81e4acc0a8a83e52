import multipart from '@fastify/multipart';
import type { AccessTokenVerifier, FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { AppError, ErrorBody, FileInfo, FileParams } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { Context } from '../context.js';
import { contentDisposition } from '../files/names.js';
import * as files from '../files/service.js';
import { callerOf, requireCaller } from './caller.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody };

export const fileRoutes: FastifyPluginAsyncTypebox<{ ctx: Context; verify: AccessTokenVerifier }> = async (app, { ctx, verify }) => {
  // Parts stream straight to storage; only one file per request, no other fields kept in memory.
  await app.register(multipart, { limits: { fileSize: ctx.config.maxFileSize, files: 1, fields: 5, fieldSize: 1024, parts: 10 } });
  app.addHook('onRequest', requireCaller(ctx, verify));

  app.post('/api/files', { schema: { response: { 201: FileInfo, ...errors } } }, async (request, reply) => {
    if (!request.isMultipart()) throw new AppError('unsupported_media_type', 415, 'Upload files as multipart/form-data.');
    const part = await request.file();
    if (!part) throw AppError.validation('file', 'a file part is required');
    return reply.code(201).send(await files.upload(ctx, callerOf(request), { filename: part.filename, stream: part.file }));
  });

  app.delete('/api/files/:id', { schema: { params: FileParams, response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    await files.remove(ctx, callerOf(request), request.params.id);
    return reply.code(204).send(null);
  });

  // 200 is the file's bytes, so only the error answers have a schema.
  app.get(
    '/api/files/:id',
    { schema: { params: FileParams, response: { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => {
      const { file, body } = await files.download(ctx, callerOf(request), request.params.id);
      return (
        reply
          .header('content-type', file.mime_type)
          .header('content-length', String(file.size))
          .header('content-disposition', contentDisposition(file.name))
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, max-age=0, must-revalidate')
          .header('content-security-policy', "default-src 'none'; sandbox")
          // The bytes themselves: the schema above only describes the error answers.
          .send(body as never)
      );
    },
  );
};
