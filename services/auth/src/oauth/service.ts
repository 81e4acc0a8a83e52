import { AppError } from '@flux/shared';
import * as oidc from 'openid-client';
import { normaliseEmail } from '../accounts/email.js';
import { findUserByEmail, findUserById, insertUser, updateUser } from '../accounts/repository.js';
import type { AppContext } from '../context.js';
import type { UserRow } from '../db/database.js';
import { recordSecurityEvent, type RequestMeta } from '../security/events.js';
import { revokeSessions } from '../sessions/repository.js';
import { startSession, type IssuedTokens } from '../sessions/service.js';
import type { OAuthProviders } from './providers.js';
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

/**
 * Finishes the flow and signs the person in. An existing link wins; otherwise an account is linked
 * only through an email the provider says is verified, and a new account is created when none matches.
 */
export async function callback(
  ctx: AppContext,
  providers: OAuthProviders,
  name: string,
  query: Record<string, string>,
  stateCookie: string | undefined,
  meta: RequestMeta,
): Promise<IssuedTokens> {
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

  const user = await linkOrCreate(ctx, name, identity, meta);
  return startSession(ctx, user, meta);
}

async function linkOrCreate(
  ctx: AppContext,
  provider: string,
  identity: { subject: string; email: string | undefined; emailVerified: boolean; name: string | undefined },
  meta: RequestMeta,
): Promise<UserRow> {
  const linkedUserId = await findLinkedUserId(ctx.db, provider, identity.subject);
  if (linkedUserId) {
    const user = await findUserById(ctx.db, linkedUserId);
    if (user) {
      await recordSecurityEvent(ctx, ctx.db, { type: 'oauth_login', userId: user.id, meta, metadata: { provider } });
      return user;
    }
  }
  if (!identity.email || !identity.emailVerified) {
    throw new AppError('oauth_email_unverified', 400, 'The provider did not confirm an email address for this account.');
  }
  const email = normaliseEmail(identity.email);
  const created = { value: false };
  const user = await ctx.db.transaction().execute(async (trx) => {
    let user = await findUserByEmail(trx, email);
    if (user && !user.email_verified_at) {
      // Whoever set a password on this unverified account never proved the mailbox; the mailbox owner
      // now has. Their password and sessions go, so a squatter cannot keep a foothold.
      await revokeSessions(trx, { userId: user.id }, 'oauth_takeover_of_unverified_account');
      user = await updateUser(trx, user.id, { password_hash: null, email_verified_at: new Date() });
    }
    if (!user) {
      user = await insertUser(trx, {
        email,
        name: identity.name?.trim().slice(0, 100) || email.replace(/@.*$/, ''),
        password_hash: null,
        email_verified_at: new Date(),
      });
      if (!user) throw AppError.conflict('email_taken', 'An account with this email was just created; try again.');
      created.value = true;
    }
    await linkAccount(trx, { provider, subject: identity.subject, userId: user.id, email });
    await recordSecurityEvent(ctx, trx, { type: created.value ? 'signup' : 'oauth_linked', userId: user.id, meta, metadata: { provider } });
    await recordSecurityEvent(ctx, trx, { type: 'oauth_login', userId: user.id, meta, metadata: { provider } });
    return user;
  });
  if (created.value) await ctx.events.publish('user.created', { userId: user.id, email: user.email, name: user.name });
  return user;
}
