import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { AppError, ErrorBody, Page } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { OAuthProviders } from '../oauth/providers.js';
import * as oauth from '../oauth/service.js';
import { setRefreshCookie } from './cookies.js';
import { requestMeta } from './request.js';

const STATE_COOKIE = 'flux_oauth_state';
const ProviderParams = Type.Object({ provider: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }) });
const labels: Record<string, string> = { google: 'Google', github: 'GitHub' };

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
        const tokens = await oauth.callback(
          ctx,
          providers,
          request.params.provider,
          request.query,
          request.cookies[STATE_COOKIE],
          requestMeta(request),
        );
        // The browser lands on the app with the refresh cookie; the app then refreshes (with CSRF) for an access token.
        setRefreshCookie(reply, ctx.config, tokens.refreshToken);
        return reply.redirect(`${home}/`, 302);
      } catch (err) {
        if (!(err instanceof AppError) || err.status === 404) throw err;
        return reply.redirect(`${home}/signin?error=${encodeURIComponent(err.code)}`, 302);
      }
    },
  );
};
