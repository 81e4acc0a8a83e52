import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { AppError, AuthTokens, ErrorBody, OAuthLinkBody, OAuthMfaBody, Page } from '@flux/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { OAuthProviders } from '../oauth/providers.js';
import * as oauth from '../oauth/service.js';
import { PENDING_TTL_SECONDS } from '../oauth/pending.js';
import { limitCredentialRequests } from '../security/limits.js';
import type { IssuedTokens } from '../sessions/service.js';
import { assertCsrf, setDeviceCookie, setRefreshCookie } from './cookies.js';
import { requestMeta } from './request.js';

const STATE_COOKIE = 'flux_oauth_state';
/** The token of a pending step (TOTP, or the password to link), only for this browser. */
const PENDING_COOKIE = 'flux_oauth_pending';
const ProviderParams = Type.Object({ provider: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }) });
const labels: Record<string, string> = { google: 'Google', github: 'GitHub' };
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 429: ErrorBody };

/** `/api/auth/oauth/*`: OIDC / OAuth 2 code flow with PKCE, state and nonce (contract §4). */
export const oauthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const providers = new OAuthProviders(ctx.config);
  const home = ctx.config.publicUrl.replace(/\/$/, '');
  // Lax, not Strict: the callback arrives as a top-level navigation from the provider's site.
  const stateCookie = {
    path: '/api/auth/oauth',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: ctx.config.publicUrl.startsWith('https:'),
    maxAge: 600,
  };
  // Strict: only our own pages finish the step (the cookie is set on the provider's redirect, sent only same-site).
  const pendingCookie = { ...stateCookie, sameSite: 'strict' as const, maxAge: PENDING_TTL_SECONDS };

  app.get('/providers', { schema: { response: { 200: Page(Type.Object({ id: Type.String(), name: Type.String() })) } } }, async () => ({
    items: providers.list().map((p) => ({ id: p.name, name: labels[p.name] ?? p.name })),
    nextCursor: null,
  }));

  app.get(
    '/:provider/start',
    { schema: { params: ProviderParams, response: { 302: Type.Null(), 404: ErrorBody, 503: ErrorBody } } },
    async (request, reply) => {
      const { url, state } = await oauth.start(ctx, providers, request.params.provider);
      reply.setCookie(STATE_COOKIE, state, stateCookie);
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/:provider/callback',
    {
      schema: {
        params: ProviderParams,
        querystring: Type.Record(Type.String(), Type.String({ maxLength: 4096 })),
        response: { 302: Type.Null(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      reply.clearCookie(STATE_COOKIE, { path: stateCookie.path });
      try {
        const outcome = await oauth.callback(
          ctx,
          providers,
          request.params.provider,
          request.query,
          request.cookies[STATE_COOKIE],
          requestMeta(request),
        );
        if (outcome.kind !== 'signed_in') {
          // No session yet: the sign-in page asks for the code (mfa) or the account's password (link).
          reply.setCookie(PENDING_COOKIE, outcome.pendingToken, pendingCookie);
          const provider = encodeURIComponent(request.params.provider);
          return reply.redirect(`${home}/signin?oauth=${outcome.kind}&provider=${provider}`, 302);
        }
        // The browser lands on the app with the refresh cookie; the app then refreshes (with CSRF) for an access token.
        setRefreshCookie(reply, ctx.config, outcome.tokens.refreshToken);
        // The browser keeps its device id, so its next sign-in is not reported as a new device.
        setDeviceCookie(reply, ctx.config, outcome.tokens.deviceId);
        return reply.redirect(`${home}/`, 302);
      } catch (err) {
        if (!(err instanceof AppError) || err.status === 404) throw err;
        return reply.redirect(`${home}/signin?error=${encodeURIComponent(err.code)}`, 302);
      }
    },
  );

  /**
   * The pending step's answer, from the sign-in page: the cookie names the step, the CSRF header
   * shows the request comes from our page. Success ends the step and answers like a sign-in.
   */
  const finishStep = async (
    request: FastifyRequest,
    reply: FastifyReply,
    complete: (token: string | undefined) => Promise<IssuedTokens>,
  ) => {
    assertCsrf(request);
    const { sessionId: _sessionId, deviceId, ...tokens } = await complete(request.cookies[PENDING_COOKIE]);
    reply.clearCookie(PENDING_COOKIE, { path: pendingCookie.path });
    setRefreshCookie(reply, ctx.config, tokens.refreshToken);
    setDeviceCookie(reply, ctx.config, deviceId);
    reply.header('cache-control', 'no-store');
    return tokens;
  };
  const credentialLimit = async (request: FastifyRequest) => limitCredentialRequests(ctx, request.ip);

  app.post(
    '/mfa',
    { preHandler: credentialLimit, schema: { body: OAuthMfaBody, response: { 200: AuthTokens, ...errors } } },
    async (request, reply) => finishStep(request, reply, (token) => oauth.completeMfa(ctx, token, request.body.code, requestMeta(request))),
  );
  app.post(
    '/link',
    { preHandler: credentialLimit, schema: { body: OAuthLinkBody, response: { 200: AuthTokens, ...errors } } },
    async (request, reply) => finishStep(request, reply, (token) => oauth.completeLink(ctx, token, request.body, requestMeta(request))),
  );
};
