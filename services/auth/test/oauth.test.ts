import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import type { AuthTokens, ErrorBody, Page, TotpSetup } from '@flux/shared';
import { authenticator } from 'otplib';
import { OAuth2Server } from 'oauth2-mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, type TestUser } from '../../../test/support/auth.js';
import { type HttpClient, httpClient } from '../../../test/support/http.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

const PUBLIC_URL = 'http://flux.test';
/** The code of the TOTP step `offset` steps from now (codes are single-use, so tests need distinct ones). */
const totp = (secret: string, offset = 0) => authenticator.clone({ epoch: Date.now() + offset * 30_000 }).generate(secret);

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

  /** The sign-in page answering the pending step, as the browser (its cookies and the CSRF header). */
  async function finishStep<T = AuthTokens>(browser: HttpClient, step: 'mfa' | 'link', body: unknown) {
    const { body: csrf } = await browser.get<{ csrfToken: string }>('/api/auth/csrf');
    return browser.post<T>(`/api/auth/oauth/${step}`, body, { headers: { 'x-csrf-token': csrf.csrfToken } });
  }

  /** Turns TOTP on through the API (re-authenticating first where that is required); answers the seed. */
  async function enableTotp(user: TestUser): Promise<string> {
    const http = httpClient(app, { token: user.accessToken });
    await http.post('/api/auth/reauth', { password: TEST_PASSWORD });
    const setup = await http.post<TotpSetup>('/api/auth/mfa/totp/setup');
    expect(setup.status).toBe(200);
    expect((await http.post('/api/auth/mfa/totp/enable', { code: totp(setup.body.secret, 1) })).status).toBe(200);
    return setup.body.secret;
  }

  const linksOf = (userId: string) => db.selectFrom('auth.oauth_accounts').selectAll().where('user_id', '=', userId).execute();

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

  it('never links an existing password account by email alone: its password is needed once', async () => {
    const user = await make.user('Existing', { verified: true });
    const unverified = await signIn({ sub: randomUUID(), email: user.email, email_verified: false });
    expect(unverified.done.headers.get('location')).toBe(`${PUBLIC_URL}/signin?error=oauth_email_unverified`);
    expect(unverified.browser.cookies.has('flux_refresh')).toBe(false);

    // The provider vouches for the same email: not enough to enter the account.
    const subject = randomUUID();
    const { browser, done } = await signIn({ sub: subject, email: user.email.toUpperCase(), email_verified: true });
    expect(done.headers.get('location')).toBe(`${PUBLIC_URL}/signin?oauth=link&provider=acme`);
    expect(browser.cookies.has('flux_refresh')).toBe(false);
    expect((await tokensOf(browser)).status).toBe(401);
    expect(await linksOf(user.id)).toEqual([]);

    const noCsrf = await browser.post<ErrorBody>('/api/auth/oauth/link', { password: TEST_PASSWORD });
    expect(noCsrf.status).toBe(403);
    const wrong = await finishStep<ErrorBody>(browser, 'link', { password: 'not-the-password-at-all' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(await linksOf(user.id)).toEqual([]);
    // Another browser has no pending step to finish.
    expect((await finishStep(httpClient(app, { jar: true }), 'link', { password: TEST_PASSWORD })).status).toBe(400);

    const linked = await finishStep(browser, 'link', { password: TEST_PASSWORD });
    expect(linked.status).toBe(200);
    expect(linked.body.user.id).toBe(user.id);
    expect(browser.cookies.has('flux_refresh')).toBe(true);
    expect((await linksOf(user.id)).map((l) => l.subject)).toEqual([subject]);
    // The account's own sessions and password are untouched.
    expect((await httpClient(app).post('/api/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(200);
    // Spent: the step cannot link or sign in twice.
    expect((await finishStep(browser, 'link', { password: TEST_PASSWORD })).status).toBe(400);

    // Linked now: the identity signs in without the password.
    const again = await signIn({ sub: subject, email: user.email, email_verified: true });
    expect(again.done.headers.get('location')).toBe(`${PUBLIC_URL}/`);
    expect((await tokensOf(again.browser)).body.user.id).toBe(user.id);
  });

  it('does not take over an unverified password account, nor link an account without a password', async () => {
    const squatted = await make.user('Squatted');
    const { browser, done } = await signIn({ sub: randomUUID(), email: squatted.email, email_verified: true });
    expect(done.headers.get('location')).toBe(`${PUBLIC_URL}/signin?oauth=link&provider=acme`);
    expect(browser.cookies.has('flux_refresh')).toBe(false);
    expect(await linksOf(squatted.id)).toEqual([]);

    const email = `oauth-only-${randomUUID()}@example.com`;
    const passwordless = await db
      .insertInto('auth.users')
      .values({ email, name: 'No password', password_hash: null, email_verified_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const refused = await signIn({ sub: randomUUID(), email, email_verified: true });
    expect(refused.done.headers.get('location')).toBe(`${PUBLIC_URL}/signin?error=email_taken`);
    expect(refused.browser.cookies.has('flux_refresh')).toBe(false);
    expect(await linksOf(passwordless.id)).toEqual([]);
  });

  it('asks an account with TOTP for its code after the provider callback, before any session', async () => {
    const user = await make.user('Totp', { verified: true });
    const secret = await enableTotp(user);
    const subject = randomUUID();
    await db.insertInto('auth.oauth_accounts').values({ provider: 'acme', subject, user_id: user.id, email: user.email }).execute();

    const { browser, done } = await signIn({ sub: subject, email: user.email, email_verified: true });
    expect(done.headers.get('location')).toBe(`${PUBLIC_URL}/signin?oauth=mfa&provider=acme`);
    expect(browser.cookies.has('flux_refresh')).toBe(false);
    expect((await tokensOf(browser)).status).toBe(401);

    expect((await browser.post('/api/auth/oauth/mfa', { code: totp(secret) })).status).toBe(403);
    const wrong = await finishStep<ErrorBody>(browser, 'mfa', { code: '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_otp');
    expect((await finishStep(httpClient(app, { jar: true }), 'mfa', { code: totp(secret) })).status).toBe(400);

    const passed = await finishStep(browser, 'mfa', { code: totp(secret) });
    expect(passed.status).toBe(200);
    expect(passed.body.user.id).toBe(user.id);
    expect((await tokensOf(browser)).body.user.id).toBe(user.id);
    expect((await finishStep(browser, 'mfa', { code: totp(secret, -1) })).status).toBe(400);
  });

  it('ends the TOTP step after five wrong codes', async () => {
    const user = await make.user('Guessed', { verified: true });
    const secret = await enableTotp(user);
    const subject = randomUUID();
    await db.insertInto('auth.oauth_accounts').values({ provider: 'acme', subject, user_id: user.id, email: user.email }).execute();
    const { browser } = await signIn({ sub: subject, email: user.email, email_verified: true });
    for (let i = 0; i < 5; i++) expect((await finishStep(browser, 'mfa', { code: String(100000 + i) })).status).toBe(401);
    const late = await finishStep<ErrorBody>(browser, 'mfa', { code: totp(secret) });
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('oauth_state_mismatch');
    expect(browser.cookies.has('flux_refresh')).toBe(false);
  });

  it('links an account with TOTP only with its password and code', async () => {
    const user = await make.user('Both factors', { verified: true });
    const secret = await enableTotp(user);
    const subject = randomUUID();
    const { browser } = await signIn({ sub: subject, email: user.email, email_verified: true });
    const passwordOnly = await finishStep<ErrorBody>(browser, 'link', { password: TEST_PASSWORD });
    expect(passwordOnly.status).toBe(401);
    expect(passwordOnly.body.error.code).toBe('mfa_required');
    expect(await linksOf(user.id)).toEqual([]);
    const linked = await finishStep(browser, 'link', { password: TEST_PASSWORD, otp: totp(secret) });
    expect(linked.status).toBe(200);
    expect(linked.body.user.id).toBe(user.id);
    // Linked, and still asked for the code at every provider sign-in.
    const again = await signIn({ sub: subject, email: user.email, email_verified: true });
    expect(again.done.headers.get('location')).toBe(`${PUBLIC_URL}/signin?oauth=mfa&provider=acme`);
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
