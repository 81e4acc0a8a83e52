import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { AccountDeletion, AppError, ErrorBody, Person } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { MAX_AVATAR_BYTES } from '../people/avatar-image.js';
import { exportData } from '../people/export.js';
import * as people from '../people/service.js';
import { assertRecentReauth } from '../sessions/reauth.js';
import { authenticated, requestMeta } from './request.js';

/** The zip's bytes: a stream, piped as it is built (a schema never serializes a stream). */
const ZipBytes = Type.Unsafe<NodeJS.ReadableStream>({ description: 'a zip archive' });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody, 503: ErrorBody };

/** `/api/auth/*` for one's own account as a person: the avatar, deleting the account, exporting its data. */
export const peopleAccountRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  await app.register(multipart, { limits: { fileSize: MAX_AVATAR_BYTES, files: 1, fields: 5, fieldSize: 1024, parts: 10 } });
  app.addHook('onRequest', authenticated(ctx));
  const recentReauth = async (request: FastifyRequest) => assertRecentReauth(ctx, request.caller);

  app.put('/me/avatar', { schema: { response: { 200: Person, ...errors } } }, async (request) => {
    if (!request.isMultipart()) throw new AppError('unsupported_media_type', 415, 'Upload the image as multipart/form-data.');
    // As for files: a body the parser cannot start on is malformed input; its own errors (too large) carry their status.
    const part = await request.file().catch((err: unknown) => {
      if (err instanceof Error && !('statusCode' in err))
        throw new AppError('bad_request', 400, `Malformed multipart body: ${err.message}`);
      throw err;
    });
    if (!part) throw AppError.validation('file', 'an image part is required');
    return people.setAvatar(ctx, request.caller, await part.toBuffer());
  });

  app.delete('/me/avatar', { schema: { response: { 200: Person, ...errors } } }, async (request) =>
    people.removeAvatar(ctx, request.caller),
  );

  // Deleting the account and taking all its data out need the password again (POST /reauth).
  app.delete('/me', { preHandler: recentReauth, schema: { response: { 202: AccountDeletion, ...errors } } }, async (request, reply) =>
    reply.code(202).send(await people.requestDeletion(ctx, request.caller, requestMeta(request))),
  );

  app.get('/export', { preHandler: recentReauth, schema: { response: { 200: ZipBytes, ...errors } } }, async (request, reply) => {
    const { filename, stream } = await exportData(ctx, request.caller, requestMeta(request));
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('cache-control', 'no-store')
      .send(stream);
  });
};
