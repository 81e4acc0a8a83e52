import { bearerToken, type FastifyPluginAsyncTypebox } from '@flux/server-kit';
import {
  AppError,
  AuthTokens,
  CsrfResponse,
  EmailBody,
  ErrorBody,
  LoginBody,
  MeResponse,
  NoContent,
  RefreshBody,
  ResetPasswordBody,
  SignupBody,
  TokenBody,
} from '@flux/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as accounts from '../accounts/service.js';
import type { AppContext } from '../context.js';
import { limitCredentialRequests } from '../security/limits.js';
import * as sessions from '../sessions/service.js';
import { assertCsrf, clearRefreshCookie, issueCsrfToken, refreshCookie, setDeviceCookie, setRefreshCookie } from './cookies.js';
import { authenticated, requestMeta } from './request.js';

// 202 answers with an empty body: a plain schema, since with TypeBox's Null the reply must send (and serialize) `null`.
const Accepted = { type: 'null' };
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };

/**
 * `/api/auth/*` reached without an access token: sign-up, sign-in, refresh, sign-out (bearer or
 * refresh cookie), CSRF, password reset and email verification (contract §4). The routes that need
 * a signed-in caller are in `account.ts`.
 */
export const authRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const bearer = authenticated(ctx);
  const credentialLimit = async (request: FastifyRequest) => limitCredentialRequests(ctx, request.ip);

  /** Body mode and cookie mode at once: the pair in the body, the refresh token also in its httpOnly cookie. */
  const grant = (reply: FastifyReply, { sessionId: _sessionId, deviceId, ...tokens }: sessions.IssuedTokens) => {
    setRefreshCookie(reply, ctx.config, tokens.refreshToken);
    setDeviceCookie(reply, ctx.config, deviceId);
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
      await bearer(request);
      return { id: request.caller.sessionId, userId: request.caller.id };
    }
    const cookie = refreshCookie(request);
    if (!cookie) throw AppError.unauthorized();
    assertCsrf(request);
    const session = await sessions.sessionOfRefreshToken(ctx, cookie);
    if (!session) throw AppError.unauthorized('This session has already ended.', 'invalid_refresh_token');
    return session;
  }

  app.post('/logout', { schema: { response: { 204: NoContent, ...errors } } }, async (request, reply) => {
    const session = await currentSession(request);
    await sessions.logout(ctx, session.userId, session.id, requestMeta(request));
    clearRefreshCookie(reply, ctx.config);
    return reply.code(204).send(null);
  });

  app.post('/logout-all', { schema: { response: { 204: NoContent, ...errors } } }, async (request, reply) => {
    const session = await currentSession(request);
    await sessions.logoutAll(ctx, session.userId, requestMeta(request));
    clearRefreshCookie(reply, ctx.config);
    return reply.code(204).send(null);
  });

  app.get('/csrf', { schema: { response: { 200: CsrfResponse } } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { csrfToken: issueCsrfToken(reply, ctx.config) };
  });

  app.post(
    '/password/forgot',
    { preHandler: credentialLimit, schema: { body: EmailBody, response: { 202: Accepted, ...errors } } },
    async (request, reply) => {
      accounts.forgotPassword(ctx, request.body.email, requestMeta(request));
      return reply.code(202).send();
    },
  );

  app.post(
    '/password/reset',
    { preHandler: credentialLimit, schema: { body: ResetPasswordBody, response: { 202: Accepted, ...errors } } },
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
};
