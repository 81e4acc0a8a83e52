import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  Comment,
  CommentThread,
  CreateThreadBody,
  ErrorBody,
  IdParams,
  NoContent,
  Page,
  ReplyBody,
  ReplyParams,
  ThreadParams,
  UpdateThreadBody,
} from '@flux/shared';
import * as comments from '../comments/service.js';
import type { AppContext } from '../context.js';
import { authenticateCaller } from './auth-hook.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody, 503: ErrorBody };

/** `/api/documents/:id/comments`: threads on a selection, replies, resolve/reopen; authorised like the document. */
export const commentRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticateCaller(ctx));

  app.get('/', { schema: { params: IdParams, response: { 200: Page(CommentThread), ...errors } } }, async (request) => ({
    items: await comments.list(ctx, request.caller, request.params.id),
    nextCursor: null,
  }));
  app.post(
    '/',
    { schema: { params: IdParams, body: CreateThreadBody, response: { 201: CommentThread, ...errors } } },
    async (request, reply) => reply.code(201).send(await comments.createThread(ctx, request.caller, request.params.id, request.body)),
  );
  app.patch(
    '/:threadId',
    { schema: { params: ThreadParams, body: UpdateThreadBody, response: { 200: CommentThread, ...errors } } },
    async (request) => comments.setResolved(ctx, request.caller, request.params.id, request.params.threadId, request.body.resolved),
  );
  app.delete('/:threadId', { schema: { params: ThreadParams, response: { 204: NoContent, ...errors } } }, async (request, reply) => {
    await comments.removeThread(ctx, request.caller, request.params.id, request.params.threadId);
    return reply.code(204).send(null);
  });
  app.post(
    '/:threadId/replies',
    { schema: { params: ThreadParams, body: ReplyBody, response: { 201: Comment, ...errors } } },
    async (request, reply) =>
      reply.code(201).send(await comments.reply(ctx, request.caller, request.params.id, request.params.threadId, request.body.body)),
  );
  app.delete(
    '/:threadId/replies/:commentId',
    { schema: { params: ReplyParams, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      const { id, threadId, commentId } = request.params;
      await comments.removeReply(ctx, request.caller, id, threadId, commentId);
      return reply.code(204).send(null);
    },
  );
};
