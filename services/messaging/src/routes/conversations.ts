import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  AddMembersBody,
  Conversation,
  ConversationMemberParams,
  ConversationSettingsBody,
  CreateConversationBody,
  ErrorBody,
  IdParams,
  NoContent,
  Page,
  UpdateConversationBody,
} from '@flux/shared';
import type { AppContext } from '../context.js';
import * as conversations from '../conversations/service.js';
import { authenticateCaller } from './auth-hook.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody };

/** `/api/conversations`: conversations and their members (their messages: routes/messages.ts). */
export const conversationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticateCaller(ctx));

  // 201 for a new one; 200 with the existing one for a direct pair or a project that has its channel.
  app.post(
    '/',
    { schema: { body: CreateConversationBody, response: { 200: Conversation, 201: Conversation, ...errors } } },
    async (request, reply) => {
      const { conversation, created } = await conversations.create(ctx, request.caller, request.body);
      return reply.code(created ? 201 : 200).send(conversation);
    },
  );

  app.get('/', { schema: { response: { 200: Page(Conversation), ...errors } } }, async (request) => ({
    items: await conversations.list(ctx, request.caller),
    nextCursor: null,
  }));

  app.get('/:id', { schema: { params: IdParams, response: { 200: Conversation, ...errors } } }, async (request) =>
    conversations.get(ctx, request.caller, request.params.id),
  );

  app.patch(
    '/:id',
    { schema: { params: IdParams, body: UpdateConversationBody, response: { 200: Conversation, ...errors } } },
    async (request) => conversations.rename(ctx, request.caller, request.params.id, request.body.name),
  );

  // The caller's own mute and archive (each member has theirs).
  app.put(
    '/:id/settings',
    { schema: { params: IdParams, body: ConversationSettingsBody, response: { 200: Conversation, ...errors } } },
    async (request) => conversations.updateSettings(ctx, request.caller, request.params.id, request.body),
  );

  app.post(
    '/:id/members',
    { schema: { params: IdParams, body: AddMembersBody, response: { 200: Conversation, ...errors } } },
    async (request) => conversations.addMembers(ctx, request.caller, request.params.id, request.body.memberIds),
  );

  app.delete(
    '/:id/members/:userId',
    { schema: { params: ConversationMemberParams, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await conversations.removeMember(ctx, request.caller, request.params.id, request.params.userId);
      return reply.code(204).send(null);
    },
  );
};
