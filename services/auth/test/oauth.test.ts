import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import type { AuthTokens, Page } from '@flux/shared';
import { OAuth2Server } from 'oauth2-mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../../test/support/auth.js';
import { type HttpClient, httpClient } from '../../../test/support/http.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

const PUBLIC_URL = 'http://flux.test';

/** OIDC sign-in against a real OIDC provider process (oauth2-mock-server) on a local port. */
describe('OAuth / OIDC sign-in', () => {
  const provider = new OAuth2Server();
  const { db } = testDatabase();
  const make = factories(db);
  let app: App;
  let nextIdentity: Record<string, unknown> = {};

  beforeAll(async () => {
    await provider.issuer.keys.generate('RS256');
    await provider.start(0, '127.0.0.1');
    provider.service.on('beforeTokenSigning', (token) => {
      Object.assign(token.payload, nextIdentity);
    });
    app = await authApp({
      PUBLIC_URL,
      OAUTH_PROVIDERS: 'acme',
      OAUTH_ACME_ISSUER: provider.issuer.url!,
      OAUTH_ACME_CLIENT_ID: 'flux-client',
      OAUTH_ACME_CLIENT_SECRET: 'flux-client-secret',
    });
  });
  afterAll(async () => {
    await app.close();
    await provider.stop();
    await db.destroy();
  });

  /** Drives the browser's redirects: start → provider → our callback, with the browser's cookies. */
  async function signIn(identity: Record<string, unknown>, tamper?: (callback: URL) => void) {
    nextIdentity = identity;
    const browser = httpClient(app, { jar: true });
    const start = await browser.get('/api/auth/oauth/acme/start');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(new URL(provider.issuer.url!).origin);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/api/auth/oauth/acme/callback`);
    const atProvider = await fetch(authorize, { redirect: 'manual' });
    const callback = new URL(atProvider.headers.get('location')!);
    tamper?.(callback);
    const done = await browser.get(`/api/auth/oauth/acme/callback${callback.search}`);
    return { browser, done };
  }

  async function tokensOf(browser: HttpClient) {
    const { body } = await browser.get<{ csrfToken: string }>('/api/auth/csrf');
    return browser.post<AuthTokens>('/api/auth/refresh', undefined, { headers: { 'x-csrf-token': body.csrfToken } });
  }

  it('lists the configured providers', async () => {
    expect((await httpClient(app).get<Page<{ id: string; name: string }>>('/api/auth/oauth/providers')).body.items).toEqual([
      { id: 'acme', name: 'acme' },
    ]);
    expect((await httpClient(app).get('/api/auth/oauth/nope/start')).status).toBe(404);
  });

  it('creates an account from a verified email and signs in with the refresh cookie', async () => {
    const email = `oidc-${randomUUID()}@example.com`;
    const subject = randomUUID();
    const { browser, done } = await signIn({ sub: subject, email, email_verified: true, name: 'Olive Oidc' });
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe(`${PUBLIC_URL}/`);
    const tokens = await tokensOf(browser);
    expect(tokens.status).toBe(200);
    expect(tokens.body.user).toMatchObject({ email, name: 'Olive Oidc', emailVerified: true });

    // The same identity later signs in to the same account.
    const again = await signIn({ sub: subject, email, email_verified: true });
    expect((await tokensOf(again.browser)).body.user.id).toBe(tokens.body.user.id);
  });

  it('links to an existing account only through a verified email', async () => {
    const user = await make.user('Existing');
    const unverified = await signIn({ sub: randomUUID(), email: user.email, email_verified: false });
    expect(unverified.done.headers.get('location')).toBe(`${PUBLIC_URL}/signin?error=oauth_email_unverified`);
    expect(unverified.browser.cookies.has('flux_refresh')).toBe(false);

    // The account's email was never verified: the mailbox owner takes it over, the old password and sessions go.
    const verified = await signIn({ sub: randomUUID(), email: user.email.toUpperCase(), email_verified: true });
    expect((await tokensOf(verified.browser)).body.user.id).toBe(user.id);
    expect((await httpClient(app).post('/api/auth/refresh', { refreshToken: user.refreshToken })).status).toBe(401);
    expect((await httpClient(app).post('/api/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(401);
    const link = await db.selectFrom('auth.oauth_accounts').selectAll().where('user_id', '=', user.id).execute();
    expect(link).toHaveLength(1);
  });

  it('refuses a callback with a forged state or from another browser, and a replayed one', async () => {
    const forged = await signIn({ sub: randomUUID(), email: `f-${randomUUID()}@example.com`, email_verified: true }, (url) =>
      url.searchParams.set('state', 'forged'),
    );
    expect(forged.done.headers.get('location')).toBe(`${PUBLIC_URL}/signin?error=oauth_state_mismatch`);

    nextIdentity = { sub: randomUUID(), email: `x-${randomUUID()}@example.com`, email_verified: true };
    const victim = httpClient(app, { jar: true });
    const start = await victim.get('/api/auth/oauth/acme/start');
    const atProvider = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(atProvider.headers.get('location')!);
    // An attacker's browser (no state cookie) cannot finish someone else's flow.
    const attacker = await httpClient(app, { jar: true }).get(`/api/auth/oauth/acme/callback${callback.search}`);
    expect(attacker.headers.get('location')).toContain('error=oauth_state_mismatch');
    // The rightful browser finishes once; the same callback again is refused.
    expect((await victim.get(`/api/auth/oauth/acme/callback${callback.search}`)).headers.get('location')).toBe(`${PUBLIC_URL}/`);
    expect((await victim.get(`/api/auth/oauth/acme/callback${callback.search}`)).headers.get('location')).toContain(
      'error=oauth_state_mismatch',
    );
  });
});
