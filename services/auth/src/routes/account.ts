import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  ChangeEmailBody,
  ChangePasswordBody,
  CodeBody,
  ErrorBody,
  IdParams,
  MeResponse,
  NoContent,
  Page,
  ReauthBody,
  ReauthResponse,
  RecoveryCodes,
  SecurityEvent,
  SecurityEventsQuery,
  SessionInfo,
  TotpSetup,
  UpdateMeBody,
} from '@flux/shared';
import type { FastifyRequest } from 'fastify';
import { requestEmailChange } from '../accounts/change-email.js';
import { changePassword } from '../accounts/change-password.js';
import * as mfa from '../accounts/mfa.js';
import * as accounts from '../accounts/service.js';
import type { AppContext } from '../context.js';
import { limitCredentialRequests } from '../security/limits.js';
import { listSecurityEvents } from '../security/service.js';
import { assertRecentReauth, reauthenticate } from '../sessions/reauth.js';
import * as sessions from '../sessions/service.js';
import { authenticated, requestMeta } from './request.js';

// 202 answers with an empty body: a plain schema, since with TypeBox's Null the reply must send (and serialize) `null`.
const Accepted = { type: 'null' };
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };

/** `/api/auth/*` for a signed-in caller: profile, sessions, MFA, the security log (contract §4). */
export const accountRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', authenticated(ctx));
  const credentialLimit = async (request: FastifyRequest) => limitCredentialRequests(ctx, request.ip);
  /** MFA, password and email changes need the password (and code) again within five minutes: POST /reauth. */
  const recentReauth = async (request: FastifyRequest) => assertRecentReauth(ctx, request.caller);

  app.post(
    '/reauth',
    { preHandler: credentialLimit, schema: { body: ReauthBody, response: { 200: ReauthResponse, ...errors } } },
    async (request) => reauthenticate(ctx, request.caller, request.body, requestMeta(request)),
  );

  app.get('/me', { schema: { response: { 200: MeResponse, ...errors } } }, async (request) => ({
    user: await accounts.me(ctx, request.caller),
  }));

  app.patch('/me', { schema: { body: UpdateMeBody, response: { 200: MeResponse, ...errors } } }, async (request) => ({
    user: await accounts.updateProfile(ctx, request.caller, request.body),
  }));

  app.get('/sessions', { schema: { response: { 200: Page(SessionInfo), ...errors } } }, async (request) => ({
    items: await sessions.listSessions(ctx, request.caller),
    nextCursor: null,
  }));

  app.delete('/sessions/:id', { schema: { params: IdParams, response: { 204: NoContent, ...errors } } }, async (request, reply) => {
    await sessions.revokeSession(ctx, request.caller, request.params.id, requestMeta(request));
    return reply.code(204).send(null);
  });

  app.post(
    '/email/verify/resend',
    { preHandler: credentialLimit, schema: { response: { 202: Accepted, ...errors } } },
    async (request, reply) => {
      await accounts.resendVerification(ctx, request.caller);
      return reply.code(202).send();
    },
  );

  app.post(
    '/email',
    { preHandler: [credentialLimit, recentReauth], schema: { body: ChangeEmailBody, response: { 202: Accepted, ...errors } } },
    async (request, reply) => {
      await requestEmailChange(ctx, request.caller, request.body.email, requestMeta(request));
      return reply.code(202).send();
    },
  );

  app.post(
    '/password',
    { preHandler: [credentialLimit, recentReauth], schema: { body: ChangePasswordBody, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await changePassword(ctx, request.caller, request.body.password, requestMeta(request));
      return reply.code(204).send(null);
    },
  );

  app.post('/mfa/totp/setup', { preHandler: recentReauth, schema: { response: { 200: TotpSetup, ...errors } } }, async (request) =>
    mfa.setup(ctx, request.caller, requestMeta(request)),
  );

  app.post(
    '/mfa/totp/enable',
    { preHandler: [credentialLimit, recentReauth], schema: { body: CodeBody, response: { 200: RecoveryCodes, ...errors } } },
    async (request) => ({
      recoveryCodes: await mfa.enable(ctx, request.caller, request.body.code, requestMeta(request)),
    }),
  );

  app.post(
    '/mfa/totp/disable',
    { preHandler: [credentialLimit, recentReauth], schema: { body: CodeBody, response: { 204: NoContent, ...errors } } },
    async (request, reply) => {
      await mfa.disable(ctx, request.caller, request.body.code, requestMeta(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/security-events',
    { schema: { querystring: SecurityEventsQuery, response: { 200: Page(SecurityEvent), ...errors } } },
    async (request) => listSecurityEvents(ctx, request.caller, request.query),
  );
};
