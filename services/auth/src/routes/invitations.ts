import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { AcceptInvitationBody, ErrorBody, IdParams, Organization, Page, PendingInvitation } from '@flux/shared';
import type { AppContext } from '../context.js';
import * as invitations from '../invitations/service.js';
import { authenticated } from './request.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** `/api/invitations*`: the signed-in invitee's side (contract §4); owners and admins manage them under organizations. */
export const invitationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticated(ctx));

  app.get('/', { schema: { response: { 200: Page(PendingInvitation), ...errors } } }, async (request) => ({
    items: await invitations.listMine(ctx, request.caller),
    nextCursor: null,
  }));
  app.post('/accept', { schema: { body: AcceptInvitationBody, response: { 200: Organization, ...errors } } }, async (request) =>
    invitations.acceptByToken(ctx, request.caller, request.body.token),
  );
  app.post('/:id/accept', { schema: { params: IdParams, response: { 200: Organization, ...errors } } }, async (request) =>
    invitations.acceptById(ctx, request.caller, request.params.id),
  );
};
