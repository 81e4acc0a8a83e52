import { AppError } from '@flux/shared';
import * as oidc from 'openid-client';
import { normaliseEmail } from '../accounts/email.js';
import { findUserByEmail, findUserById, insertUser } from '../accounts/repository.js';
import { checkSecondFactor } from '../accounts/mfa.js';
import { checkPassword } from '../accounts/service.js';
import { claimFirstAdmin } from '../admin/repository.js';
import type { AppContext } from '../context.js';
import type { UserRow } from '../db/database.js';
import { recordSecurityEvent, type RequestMeta } from '../security/events.js';
import { startSession, type IssuedTokens } from '../sessions/service.js';
import type { OAuthProviders } from './providers.js';
import { createPendingStep, notePendingFailure, type PendingStep, readPendingStep, takePendingStep } from './pending.js';
import { findLinkedUserId, linkAccount } from './repository.js';

const FLOW_TTL_SECONDS = 600;
const flowKey = (ctx: AppContext, state: string) => `${ctx.config.redisPrefix}auth:oauth:${state}`;

interface Flow {
  provider: string;
  verifier: string;
  nonce: string;
}

const unknownProvider = () => AppError.notFound('OAuth provider');

/** Starts the code flow: PKCE verifier, state and nonce kept in Redis (single use, 10 minutes). */
export async function start(ctx: AppContext, providers: OAuthProviders, name: string): Promise<{ url: string; state: string }> {
  const provider = providers.find(name);
  if (!provider) throw unknownProvider();
  const configuration = await providers.configuration(provider).catch((err: unknown) => {
    ctx.log.error({ err, provider: name }, 'OAuth discovery failed');
    throw new AppError('service_unavailable', 503, 'The sign-in provider is unreachable; try again later.');
  });
  const flow: Flow = { provider: name, verifier: oidc.randomPKCECodeVerifier(), nonce: oidc.randomNonce() };
  const state = oidc.randomState();
  await ctx.redis.set(flowKey(ctx, state), JSON.stringify(flow), 'EX', FLOW_TTL_SECONDS);
  const parameters: Record<string, string> = {
    redirect_uri: providers.redirectUri(provider),
    scope: providers.isOidc(provider) ? 'openid email profile' : 'read:user user:email',
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: 'S256',
    state,
  };
  if (providers.isOidc(provider)) parameters.nonce = flow.nonce;
  return { url: oidc.buildAuthorizationUrl(configuration, parameters).href, state };
}

/** What the callback ends in: signed in, or one more step for the person in the browser. */
export type CallbackOutcome = { kind: 'signed_in'; tokens: IssuedTokens } | { kind: 'mfa' | 'link'; pendingToken: string };

interface Identity {
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
}

/**
 * Finishes the flow. An identity linked before signs in to its account, but an account with TOTP
 * must still give its code (a pending `mfa` step). An identity not linked yet creates an account
 * from a verified email when none has it; when an account with a password has it, linking needs
 * that password (and TOTP) once (a pending `link` step), never the email alone. An account without
 * a password (made through another provider) is not linked here at all.
 */
export async function callback(
  ctx: AppContext,
  providers: OAuthProviders,
  name: string,
  query: Record<string, string>,
  stateCookie: string | undefined,
  meta: RequestMeta,
): Promise<CallbackOutcome> {
  const provider = providers.find(name);
  if (!provider) throw unknownProvider();
  const state = query.state;
  // The state must come back to the browser that started the flow (login CSRF), and only once.
  if (!state || !stateCookie || state !== stateCookie)
    throw new AppError('oauth_state_mismatch', 400, 'The sign-in link is not for this browser; start again.');
  const stored = await ctx.redis.getdel(flowKey(ctx, state));
  const flow = stored ? (JSON.parse(stored) as Flow) : undefined;
  if (!flow || flow.provider !== name) throw new AppError('oauth_state_mismatch', 400, 'The sign-in attempt expired; start again.');
  if (query.error) throw new AppError('oauth_denied', 400, 'The provider did not sign you in.', { providerError: query.error });

  const callbackUrl = new URL(providers.redirectUri(provider));
  for (const [key, value] of Object.entries(query)) callbackUrl.searchParams.set(key, value);
  const identity = await providers
    .identify(provider, callbackUrl, { verifier: flow.verifier, state, nonce: flow.nonce })
    .catch((err: unknown) => {
      ctx.log.warn({ err, provider: name }, 'OAuth code exchange failed');
      throw new AppError('oauth_failed', 400, 'Signing in with the provider failed; start again.');
    });

  const linkedUserId = await findLinkedUserId(ctx.db, name, identity.subject);
  const linked = linkedUserId ? await findUserById(ctx.db, linkedUserId) : undefined;
  if (linked) {
    if (linked.mfa_enabled_at) return pending(ctx, { kind: 'mfa', userId: linked.id, provider: name });
    return { kind: 'signed_in', tokens: await signIn(ctx, linked, name, meta, false) };
  }

  if (!identity.email || !identity.emailVerified) {
    throw new AppError('oauth_email_unverified', 400, 'The provider did not confirm an email address for this account.');
  }
  const email = normaliseEmail(identity.email);
  const existing = await findUserByEmail(ctx.db, email);
  if (existing) {
    if (!existing.password_hash)
      throw AppError.conflict('email_taken', 'An account with this email already exists; sign in the way you did before.');
    return pending(ctx, { kind: 'link', userId: existing.id, provider: name, subject: identity.subject, email });
  }
  const created = await createAccount(ctx, name, identity, email, meta);
  return { kind: 'signed_in', tokens: await signIn(ctx, created, name, meta, false) };
}

async function pending(ctx: AppContext, step: PendingStep): Promise<CallbackOutcome> {
  return { kind: step.kind, pendingToken: await createPendingStep(ctx, step) };
}

async function signIn(ctx: AppContext, user: UserRow, provider: string, meta: RequestMeta, mfa: boolean): Promise<IssuedTokens> {
  return startSession(ctx, user, meta, { type: 'oauth_login', metadata: { provider, mfa } });
}

/** A new account from the provider's verified email (no password, email verified by the provider). */
async function createAccount(ctx: AppContext, provider: string, identity: Identity, email: string, meta: RequestMeta): Promise<UserRow> {
  const user = await ctx.db.transaction().execute(async (trx) => {
    const user = await insertUser(trx, {
      email,
      name: identity.name?.trim().slice(0, 100) || email.replace(/@.*$/, ''),
      password_hash: null,
      email_verified_at: new Date(),
    });
    if (!user) throw AppError.conflict('email_taken', 'An account with this email was just created; try again.');
    await claimFirstAdmin(trx, user.id);
    await linkAccount(trx, { provider, subject: identity.subject, userId: user.id, email });
    await recordSecurityEvent(ctx, trx, { type: 'signup', userId: user.id, meta, metadata: { provider } });
    return user;
  });
  await ctx.events.publish('user.created', { userId: user.id, email: user.email, name: user.name });
  return user;
}

const stepExpired = () => new AppError('oauth_state_mismatch', 400, 'The sign-in attempt expired; start again.');

async function pendingStepOf<K extends PendingStep['kind']>(
  ctx: AppContext,
  token: string | undefined,
  kind: K,
): Promise<Extract<PendingStep, { kind: K }>> {
  const step = token ? await readPendingStep(ctx, token) : undefined;
  if (!step || step.kind !== kind) throw stepExpired();
  return step as Extract<PendingStep, { kind: K }>;
}

/** `POST /api/auth/oauth/mfa`: the TOTP (or recovery) code after the provider signed in to an account with MFA. */
export async function completeMfa(ctx: AppContext, token: string | undefined, code: string, meta: RequestMeta): Promise<IssuedTokens> {
  const step = await pendingStepOf(ctx, token, 'mfa');
  const user = await findUserById(ctx.db, step.userId);
  if (!user || !token) throw stepExpired();
  if (!(await checkSecondFactor(ctx, user, code, meta))) {
    await notePendingFailure(ctx, token);
    await recordSecurityEvent(ctx, ctx.db, {
      type: 'mfa_failed',
      userId: user.id,
      meta,
      metadata: { during: 'oauth', provider: step.provider },
    });
    throw AppError.unauthorized('The authentication code is not valid.', 'invalid_otp');
  }
  if (!(await takePendingStep(ctx, token))) throw stepExpired();
  return signIn(ctx, user, step.provider, meta, true);
}

/**
 * `POST /api/auth/oauth/link`: the existing account's password (and TOTP when on), under the same
 * limits as a sign-in; then the provider is linked, and later sign-ins with it need no password.
 */
export async function completeLink(
  ctx: AppContext,
  token: string | undefined,
  body: { password: string; otp?: string },
  meta: RequestMeta,
): Promise<IssuedTokens> {
  const step = await pendingStepOf(ctx, token, 'link');
  const account = await findUserById(ctx.db, step.userId);
  if (!account || !token) throw stepExpired();
  let user: UserRow;
  try {
    user = await checkPassword(ctx, account.email, body.password, body.otp, meta);
  } catch (err) {
    // A missing code is not a wrong guess; anything else counts against this step.
    if (!(err instanceof AppError && err.code === 'mfa_required')) await notePendingFailure(ctx, token);
    throw err;
  }
  if (user.id !== step.userId || !(await takePendingStep(ctx, token))) throw stepExpired();
  await ctx.db.transaction().execute(async (trx) => {
    await linkAccount(trx, { provider: step.provider, subject: step.subject, userId: user.id, email: step.email });
    await recordSecurityEvent(ctx, trx, { type: 'oauth_linked', userId: user.id, meta, metadata: { provider: step.provider } });
  });
  return signIn(ctx, user, step.provider, meta, !!user.mfa_enabled_at);
}
