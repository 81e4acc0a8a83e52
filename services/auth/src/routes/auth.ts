import { bearerToken, type FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  AppError,
  AuthTokens,
  CodeBody,
  CsrfResponse,
  CursorQuery,
  EmailBody,
  ErrorBody,
  IdParams,
  LoginBody,
  MeResponse,
  Page,
  RecoveryCodes,
  RefreshBody,
  ResetPasswordBody,
  SecurityEvent,
  SessionInfo,
  SignupBody,
  TokenBody,
  TotpSetup,
  UpdateMeBody,
} from '@flux/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as accounts from '../accounts/service.js';
import * as mfa from '../accounts/mfa.js';
import type { AuthContext } from '../context.js';
import { limitCredentialRequests } from '../security/limits.js';
import { listSecurityEvents } from '../security/service.js';
import * as sessions from '../sessions/service.js';
import { assertCsrf, clearRefreshCookie, issueCsrfToken, refreshCookie, setRefreshCookie } from './cookies.js';
import { requestMeta, requireUser } from './request.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };
const Empty = { type: 'null' };

/** `/api/auth/*`: accounts, tokens, sessions, MFA and the security log (contract §4). */
export const authRoutes: FastifyPluginAsyncTypebox<{ ctx: AuthContext }> = async (app, { ctx }) => {
  const authenticated = requireUser(ctx);
  const credentialLimit = async (request: FastifyRequest) => limitCredentialRequests(ctx, request.ip);

  /** Body mode and cookie mode at once: the pair in the body, the refresh token also in its httpOnly cookie. */
  const grant = (reply: FastifyReply, { sessionId: _sessionId, ...tokens }: sessions.IssuedTokens) => {
    setRefreshCookie(reply, ctx.config, tokens.refreshToken);
    reply.header('cache-control', 'no-store');
    return tokens;
  };

  app.post(
    '/signup',
    { preHandler: credentialLimit, schema: { body: SignupBody, response: { 201: AuthTokens, ...errors } } },
    async (request, reply) => reply.code(201).send(grant(reply, await accounts.signup(ctx, request.body, requestMeta(request)))),
  );

  app.post(
    '/login',
    { preHandler: credentialLimit, schema: { body: LoginBody, response: { 200: AuthTokens, ...errors } } },
    async (request, reply) => grant(reply, await accounts.login(ctx, request.body, requestMeta(request))),
  );

  // Browsers refresh with the cookie alone and may send no body at all.
  const emptyBody = async (request: FastifyRequest) => {
    request.body ??= {};
  };
  app.post(
    '/refresh',
    { preValidation: emptyBody, schema: { body: RefreshBody, response: { 200: AuthTokens, ...errors } } },
    async (request, reply) => {
      let token = request.body?.refreshToken;
      if (!token) {
        token = refreshCookie(request);
        if (!token) throw AppError.unauthorized('A refresh token is required.', 'invalid_refresh_token');
        assertCsrf(request);
      }
      try {
        return grant(reply, await sessions.refresh(ctx, token, requestMeta(request)));
      } catch (err) {
        if (err instanceof AppError && err.status === 401) clearRefreshCookie(reply, ctx.config);
        throw err;
      }
    },
  );

  /** The session to end: from the bearer token, or from the refresh cookie (then with CSRF). */
  async function currentSession(request: FastifyRequest): Promise<{ id: string; userId: string }> {
    if (bearerToken(request)) {
      await authenticated(request);
      return { id: request.user.sid, userId: request.user.sub };
    }
    const cookie = refreshCookie(request);
    if (!cookie) throw AppError.unauthorized();
    assertCsrf(request);
    const session = await sessions.sessionOfRefreshToken(ctx, cookie);
    if (!session) throw AppError.unauthorized('This session has already ended.', 'invalid_refresh_token');
    return session;
  }

  app.post('/logout', { schema: { response: { 204: Empty, ...errors } } }, async (request, reply) => {
    const session = await currentSession(request);
    await sessions.logout(ctx, session.userId, session.id, requestMeta(request));
    clearRefreshCookie(reply, ctx.config);
    return reply.code(204).send();
  });

  app.post('/logout-all', { schema: { response: { 204: Empty, ...errors } } }, async (request, reply) => {
    const session = await currentSession(request);
    await sessions.logoutAll(ctx, session.userId, requestMeta(request));
    clearRefreshCookie(reply, ctx.config);
    return reply.code(204).send();
  });

  app.get('/csrf', { schema: { response: { 200: CsrfResponse } } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { csrfToken: issueCsrfToken(reply, ctx.config) };
  });

  app.get('/me', { preHandler: authenticated, schema: { response: { 200: MeResponse, ...errors } } }, async (request) => ({
    user: await accounts.me(ctx, request.user.sub),
  }));

  app.patch(
    '/me',
    { preHandler: authenticated, schema: { body: UpdateMeBody, response: { 200: MeResponse, ...errors } } },
    async (request) => ({
      user: await accounts.updateProfile(ctx, request.user.sub, request.body),
    }),
  );

  app.get('/sessions', { preHandler: authenticated, schema: { response: { 200: Page(SessionInfo), ...errors } } }, async (request) => ({
    items: await sessions.listSessions(ctx, request.user.sub, request.user.sid),
    nextCursor: null,
  }));

  app.delete(
    '/sessions/:id',
    { preHandler: authenticated, schema: { params: IdParams, response: { 204: Empty, ...errors } } },
    async (request, reply) => {
      await sessions.revokeSession(ctx, request.user.sub, request.params.id, requestMeta(request));
      return reply.code(204).send();
    },
  );

  app.post(
    '/password/forgot',
    { preHandler: credentialLimit, schema: { body: EmailBody, response: { 202: Empty, ...errors } } },
    async (request, reply) => {
      accounts.forgotPassword(ctx, request.body.email, requestMeta(request));
      return reply.code(202).send();
    },
  );

  app.post(
    '/password/reset',
    { preHandler: credentialLimit, schema: { body: ResetPasswordBody, response: { 202: Empty, ...errors } } },
    async (request, reply) => {
      await accounts.resetPassword(ctx, request.body.token, request.body.password, requestMeta(request));
      clearRefreshCookie(reply, ctx.config);
      return reply.code(202).send();
    },
  );

  app.post(
    '/email/verify',
    { preHandler: credentialLimit, schema: { body: TokenBody, response: { 200: MeResponse, ...errors } } },
    async (request) => ({
      user: await accounts.verifyEmail(ctx, request.body.token, requestMeta(request)),
    }),
  );

  app.post(
    '/email/verify/resend',
    { preHandler: [credentialLimit, authenticated], schema: { response: { 202: Empty, ...errors } } },
    async (request, reply) => {
      await accounts.resendVerification(ctx, request.user.sub);
      return reply.code(202).send();
    },
  );

  app.post('/mfa/totp/setup', { preHandler: authenticated, schema: { response: { 200: TotpSetup, ...errors } } }, async (request) =>
    mfa.setup(ctx, request.user.sub, requestMeta(request)),
  );

  app.post(
    '/mfa/totp/enable',
    { preHandler: [credentialLimit, authenticated], schema: { body: CodeBody, response: { 200: RecoveryCodes, ...errors } } },
    async (request) => ({
      recoveryCodes: await mfa.enable(ctx, request.user.sub, request.body.code, requestMeta(request)),
    }),
  );

  app.post(
    '/mfa/totp/disable',
    { preHandler: [credentialLimit, authenticated], schema: { body: CodeBody, response: { 204: Empty, ...errors } } },
    async (request, reply) => {
      await mfa.disable(ctx, request.user.sub, request.body.code, requestMeta(request));
      return reply.code(204).send();
    },
  );

  app.get(
    '/security-events',
    { preHandler: authenticated, schema: { querystring: CursorQuery, response: { 200: Page(SecurityEvent), ...errors } } },
    async (request) => listSecurityEvents(ctx, request.user.sub, request.query),
  );
};
