import type { AccessTokenVerifier, FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  AddMembersBody,
  Conversation,
  ConversationMemberParams,
  CreateConversationBody,
  ErrorBody,
  IdParams,
  Message,
  MessagesQuery,
  Page,
  ReadBody,
  ReadState,
  SendMessageBody,
} from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { Context } from '../context.js';
import * as conversations from '../conversations/service.js';
import * as messages from '../messages/service.js';
import { callerOf, requireCaller } from './caller.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody };

export const conversationRoutes: FastifyPluginAsyncTypebox<{ ctx: Context; verify: AccessTokenVerifier }> = async (
  app,
  { ctx, verify },
) => {
  app.addHook('onRequest', requireCaller(ctx, verify));

  app.post(
    '/api/conversations',
    { schema: { body: CreateConversationBody, response: { 200: Conversation, 201: Conversation, ...errors } } },
    async (request, reply) => {
      const { conversation, created } = await conversations.create(ctx, callerOf(request), request.body);
      return reply.code(created ? 201 : 200).send(conversation);
    },
  );

  app.get('/api/conversations', { schema: { response: { 200: Page(Conversation), ...errors } } }, async (request) => ({
    items: await conversations.list(ctx, callerOf(request)),
    nextCursor: null,
  }));

  app.get('/api/conversations/:id', { schema: { params: IdParams, response: { 200: Conversation, ...errors } } }, async (request) =>
    conversations.get(ctx, callerOf(request), request.params.id),
  );

  app.post(
    '/api/conversations/:id/members',
    { schema: { params: IdParams, body: AddMembersBody, response: { 200: Conversation, ...errors } } },
    async (request) => conversations.addMembers(ctx, callerOf(request), request.params.id, request.body.memberIds),
  );

  app.delete(
    '/api/conversations/:id/members/:userId',
    { schema: { params: ConversationMemberParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await conversations.removeMember(ctx, callerOf(request), request.params.id, request.params.userId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/conversations/:id/messages',
    { schema: { params: IdParams, querystring: MessagesQuery, response: { 200: Page(Message), ...errors } } },
    async (request) => messages.list(ctx, callerOf(request), request.params.id, request.query),
  );

  // 201 for a new message; 200 with the original when the clientId was seen before (a retry).
  app.post(
    '/api/conversations/:id/messages',
    { schema: { params: IdParams, body: SendMessageBody, response: { 200: Message, 201: Message, ...errors } } },
    async (request, reply) => {
      const { message, created } = await messages.send(ctx, callerOf(request), request.params.id, request.body);
      return reply.code(created ? 201 : 200).send(message);
    },
  );

  app.post(
    '/api/conversations/:id/read',
    { schema: { params: IdParams, body: ReadBody, response: { 200: ReadState, ...errors } } },
    async (request) => messages.markRead(ctx, callerOf(request), request.params.id, request.body.seq),
  );
};
