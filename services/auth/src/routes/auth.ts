import type { FastifyPluginAsyncTypebox } from '@flux/server-kit';
import { AuthTokens, ErrorBody, LoginBody, MeResponse, RefreshBody, SignupBody, AppError } from '@flux/shared';
import * as accounts from '../accounts/service.js';
import type { AuthContext } from '../context.js';
import * as sessions from '../sessions/service.js';
import { requestMeta, requireUser } from './request.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 429: ErrorBody };
const strip = ({ sessionId: _sessionId, ...tokens }: sessions.IssuedTokens) => tokens;

/** `/api/auth/*`: accounts and tokens (contract §4). */
export const authRoutes: FastifyPluginAsyncTypebox<{ ctx: AuthContext }> = async (app, { ctx }) => {
  const authenticated = requireUser(ctx);

  app.post('/signup', { schema: { body: SignupBody, response: { 201: AuthTokens, ...errors } } }, async (request, reply) =>
    reply.code(201).send(strip(await accounts.signup(ctx, request.body, requestMeta(request)))),
  );

  app.post('/login', { schema: { body: LoginBody, response: { 200: AuthTokens, ...errors } } }, async (request) =>
    strip(await accounts.login(ctx, request.body, requestMeta(request))),
  );

  app.post('/refresh', { schema: { body: RefreshBody, response: { 200: AuthTokens, ...errors } } }, async (request) => {
    const token = request.body?.refreshToken;
    if (!token) throw AppError.unauthorized('A refresh token is required.', 'invalid_refresh_token');
    return strip(await sessions.refresh(ctx, token, requestMeta(request)));
  });

  app.get('/me', { preHandler: authenticated, schema: { response: { 200: MeResponse, 401: ErrorBody } } }, async (request) => ({
    user: await accounts.me(ctx, request.user.sub),
  }));
};
