import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  AddMemberBody,
  CreateOrganization,
  CreateProject,
  DeleteOrganizationBody,
  ErrorBody,
  IdParams,
  Invitation,
  InvitationParams,
  InviteResult,
  ListQuery,
  Member,
  MemberParams,
  NoContent,
  Organization,
  Page,
  Project,
  UpdateMemberBody,
  UpdateOrganization,
} from '@flux/shared';
import type { AppContext } from '../context.js';
import * as invitations from '../invitations/service.js';
import * as organizations from '../organizations/service.js';
import * as projects from '../projects/service.js';
import { authenticated, requestMeta } from './request.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
/** Routes that mail an invitation also answer 429 past the inviter's hourly budget. */
const mailing = { ...errors, 429: ErrorBody };

/** `/api/organizations*` (contract §4). */
export const organizationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticated(ctx));

  app.post('/', { schema: { body: CreateOrganization, response: { 201: Organization, ...errors } } }, async (request, reply) =>
    reply.code(201).send(await organizations.create(ctx, request.caller, request.body)),
  );
  app.get('/', { schema: { querystring: ListQuery, response: { 200: Page(Organization), ...errors } } }, async (request) =>
    organizations.list(ctx, request.caller, request.query),
  );
  app.get('/:id', { schema: { params: IdParams, response: { 200: Organization, ...errors } } }, async (request) =>
    organizations.get(ctx, request.caller, request.params.id),
  );
  app.patch(
    '/:id',
    { schema: { params: IdParams, body: UpdateOrganization, response: { 200: Organization, ...errors } } },
    async (request) => organizations.update(ctx, request.caller, request.params.id, request.body),
  );
  app.delete(
    '/:id',
    { schema: { params: IdParams, body: DeleteOrganizationBody, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await organizations.remove(ctx, request.caller, request.params.id, request.body.confirmName, requestMeta(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/:id/members',
    { schema: { params: IdParams, querystring: ListQuery, response: { 200: Page(Member), ...errors } } },
    async (request) => organizations.listMembers(ctx, request.caller, request.params.id, request.query),
  );
  // Always an invitation, whether or not the email has an account: 202 and the same body either way.
  app.post(
    '/:id/members',
    { schema: { params: IdParams, body: AddMemberBody, response: { 202: InviteResult, ...mailing } } },
    async (request, reply) => reply.code(202).send(await invitations.invite(ctx, request.caller, request.params.id, request.body)),
  );
  app.patch(
    '/:id/members/:userId',
    { schema: { params: MemberParams, body: UpdateMemberBody, response: { 200: Member, ...errors } } },
    async (request) => organizations.setRole(ctx, request.caller, request.params.id, request.params.userId, request.body.role),
  );
  app.delete(
    '/:id/members/:userId',
    { schema: { params: MemberParams, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await organizations.removeMember(ctx, request.caller, request.params.id, request.params.userId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/:id/invitations',
    { schema: { params: IdParams, querystring: ListQuery, response: { 200: Page(Invitation), ...errors } } },
    async (request) => invitations.listForOrganization(ctx, request.caller, request.params.id, request.query),
  );
  app.post(
    '/:id/invitations/:invitationId/resend',
    { schema: { params: InvitationParams, response: { 200: Invitation, ...mailing } } },
    async (request) => invitations.resend(ctx, request.caller, request.params.id, request.params.invitationId),
  );
  app.delete(
    '/:id/invitations/:invitationId',
    { schema: { params: InvitationParams, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await invitations.revoke(ctx, request.caller, request.params.id, request.params.invitationId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/:id/projects',
    { schema: { params: IdParams, body: CreateProject, response: { 201: Project, ...errors } } },
    async (request, reply) => reply.code(201).send(await projects.create(ctx, request.caller, request.params.id, request.body.name)),
  );
};
