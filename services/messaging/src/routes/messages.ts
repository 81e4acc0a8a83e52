import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  AppError,
  EditMessageBody,
  ErrorBody,
  IdParams,
  Message,
  NoContent,
  MessagesQuery,
  Page,
  ReactionBody,
  ReactionSummary,
  ReadBody,
  ReadState,
  SearchQuery,
  SendMessageBody,
  Uuid,
} from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { PageCache } from '../messages/page-cache.js';
import * as messages from '../messages/service.js';
import { authenticateCaller } from './auth-hook.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 429: ErrorBody };
const conversationErrors = { ...errors, 409: ErrorBody };
const Reactions = Type.Object({ messageId: Uuid, conversationId: Uuid, reactions: Type.Array(ReactionSummary) });

/** If-None-Match names `etag` (weakly: nginx marks the ETags of bodies it compresses `W/`). */
const matchesEtag = (header: string | undefined, etag: string): boolean =>
  header?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag) ?? false;

/** `/api/conversations/:id/…`: a conversation's messages and the caller's read position in it. */
export const conversationMessageRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticateCaller(ctx));

  // The body comes from the database as JSON and is sent as it is. Its ETag is the conversation's
  // page version: a client that has it gets a 304 (after the membership check, like any read).
  // Access is checked on the primary; the pages may come from the replica.
  const pages = new PageCache(ctx.dbRead);
  app.get(
    '/:id/messages',
    { schema: { params: IdParams, querystring: MessagesQuery, response: { 200: Page(Message), 304: NoContent, ...conversationErrors } } },
    async (request, reply) => {
      const page = await messages.list(ctx, pages, request.caller, request.params.id, request.query);
      const etag = `"${page.version}"`;
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send(null);
      // Bytes with a JSON content type go out as they are (fastify skips the serializer).
      return reply.type('application/json; charset=utf-8').send(page.body as unknown as Page<Message>);
    },
  );

  // 201 for a new message; 200 with the original when the clientId was seen before (a retry).
  app.post(
    '/:id/messages',
    { schema: { params: IdParams, body: SendMessageBody, response: { 200: Message, 201: Message, ...conversationErrors } } },
    async (request, reply) => {
      const { message, created } = await messages.send(ctx, request.caller, request.params.id, request.body);
      return reply.code(created ? 201 : 200).send(message);
    },
  );

  app.post(
    '/:id/read',
    { schema: { params: IdParams, body: ReadBody, response: { 200: ReadState, ...conversationErrors } } },
    async (request) => messages.markRead(ctx, request.caller, request.params.id, request.body.seq),
  );
};

/** `/api/messages`: one message by id (edit, delete, reactions) and search. */
export const messageRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticateCaller(ctx));

  app.get('/search', { schema: { querystring: SearchQuery, response: { 200: Page(Message), ...errors } } }, async (request) =>
    messages.search(ctx, request.caller, request.query),
  );

  app.patch('/:id', { schema: { params: IdParams, body: EditMessageBody, response: { 200: Message, ...errors } } }, async (request) =>
    messages.edit(ctx, request.caller, request.params.id, request.body.content),
  );

  app.delete('/:id', { schema: { params: IdParams, response: { 204: NoContent, ...errors } } }, async (request, reply) => {
    await messages.remove(ctx, request.caller, request.params.id);
    return reply.code(204).send(null);
  });

  app.post(
    '/:id/reactions',
    { schema: { params: IdParams, body: ReactionBody, response: { 200: Reactions, ...errors } } },
    async (request) => messages.react(ctx, request.caller, request.params.id, request.body.emoji, true),
  );

  // The emoji may come in a JSON body (as for POST) or, for clients that send no body with DELETE, as ?emoji=.
  app.delete(
    '/:id/reactions',
    {
      schema: {
        params: IdParams,
        querystring: Type.Object({ emoji: Type.Optional(ReactionBody.properties.emoji) }),
        body: Type.Optional(Type.Union([ReactionBody, Type.Null()])),
        response: { 200: Reactions, ...errors },
      },
    },
    async (request) => {
      const emoji = request.body?.emoji ?? request.query.emoji;
      if (!emoji) throw AppError.validation('emoji', 'is required');
      return messages.react(ctx, request.caller, request.params.id, emoji, false);
    },
  );
};
