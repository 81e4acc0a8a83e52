import type { AccessTokenVerifier, FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  AppError,
  EditMessageBody,
  ErrorBody,
  IdParams,
  Message,
  Page,
  ReactionBody,
  ReactionSummary,
  SearchQuery,
  Uuid,
} from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { Context } from '../context.js';
import * as messages from '../messages/service.js';
import { callerOf, requireCaller } from './caller.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 429: ErrorBody };
const Reactions = Type.Object({ messageId: Uuid, conversationId: Uuid, reactions: Type.Array(ReactionSummary) });

export const messageRoutes: FastifyPluginAsyncTypebox<{ ctx: Context; verify: AccessTokenVerifier }> = async (app, { ctx, verify }) => {
  app.addHook('onRequest', requireCaller(ctx, verify));

  app.get('/api/messages/search', { schema: { querystring: SearchQuery, response: { 200: Page(Message), ...errors } } }, async (request) =>
    messages.search(ctx, callerOf(request), request.query),
  );

  app.patch(
    '/api/messages/:id',
    { schema: { params: IdParams, body: EditMessageBody, response: { 200: Message, ...errors } } },
    async (request) => messages.edit(ctx, callerOf(request), request.params.id, request.body.content),
  );

  app.delete('/api/messages/:id', { schema: { params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    await messages.remove(ctx, callerOf(request), request.params.id);
    return reply.code(204).send(null);
  });

  app.post(
    '/api/messages/:id/reactions',
    { schema: { params: IdParams, body: ReactionBody, response: { 200: Reactions, ...errors } } },
    async (request) => messages.react(ctx, callerOf(request), request.params.id, request.body.emoji, true),
  );

  // The emoji may come in a JSON body (as for POST) or, for clients that send no body with DELETE, as ?emoji=.
  app.delete(
    '/api/messages/:id/reactions',
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
      return messages.react(ctx, callerOf(request), request.params.id, emoji, false);
    },
  );
};
