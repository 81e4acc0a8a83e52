import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../support/http.js';
import { launchBrowser, openTab, PASSWORD, screenshot, signUpViaApi, totp } from './browser.js';
import { startStack, type Stack } from './stack.js';

/** The part of oauth2-mock-server this test uses. */
interface MockOidcProvider {
  issuer: { url: string | undefined; keys: { generate(alg: string): Promise<unknown> } };
  service: { on(event: 'beforeTokenSigning', listener: (token: { payload: Record<string, unknown> }) => void): void };
  start(port: number, host: string): Promise<unknown>;
  stop(): Promise<unknown>;
}

// A devDependency of @flux/web (the root package does not list it), resolved from there.
const requireFromWeb = createRequire(new URL('../../apps/web/package.json', import.meta.url));
const { OAuth2Server } = (await import(requireFromWeb.resolve('oauth2-mock-server'))) as { OAuth2Server: new () => MockOidcProvider };

/** "Continue with …" against a real OIDC provider process (oauth2-mock-server) on a local port. */
describe('web: sign-in with an OIDC provider', () => {
  const provider = new OAuth2Server();
  let stack: Stack;
  let browser: Browser;
  let identity: Record<string, unknown> = {};

  beforeAll(async () => {
    await provider.issuer.keys.generate('RS256');
    await provider.start(0, '127.0.0.1');
    provider.service.on('beforeTokenSigning', (token) => Object.assign(token.payload, identity));
    [stack, browser] = await Promise.all([
      startStack({
        OAUTH_PROVIDERS: 'acme',
        OAUTH_ACME_ISSUER: provider.issuer.url!,
        OAUTH_ACME_CLIENT_ID: 'flux-web',
        OAUTH_ACME_CLIENT_SECRET: 'flux-web-secret',
      }),
      launchBrowser(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await provider.stop();
  });

  it('shows the configured provider and signs in through it', async () => {
    const { page, context, errors } = await openTab(browser, stack.url);
    identity = { sub: randomUUID(), email: `olive-${randomUUID()}@example.com`, email_verified: true, name: 'Olive Oidc' };
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Continue with acme' }).click();
    // Provider → callback → the app, which restores the session from the refresh cookie.
    await page.getByRole('banner').getByText('Olive Oidc').waitFor();
    await page.getByRole('heading', { name: 'Welcome to FluxStudio' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('explains a refused sign-in on the sign-in page', async () => {
    const { page, context } = await openTab(browser, stack.url);
    // The provider confirms no email address: the server sends the browser back with an error code.
    identity = { sub: randomUUID(), email: `ned-${randomUUID()}@example.com`, email_verified: false, name: 'Ned' };
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Continue with acme' }).click();
    await page.waitForURL(/\/signin\?error=/);
    await page
      .getByRole('alert')
      .getByText(/did not confirm your email address/)
      .waitFor();
    await screenshot(page, '11-sign-in-oauth-error');
    await context.close();
  });

  it('links an existing account only with its password and code, then asks for the code after every provider sign-in', async () => {
    const tess = await signUpViaApi(stack.url, 'Tess Totp');
    const api = httpClient(stack.url, { token: tess.accessToken });
    expect((await api.post('/api/auth/reauth', { password: PASSWORD })).status).toBe(200);
    const setup = await api.post<{ secret: string }>('/api/auth/mfa/totp/setup');
    const enabled = await api.post<{ recoveryCodes: string[] }>('/api/auth/mfa/totp/enable', { code: totp(setup.body.secret, 1) });
    expect(enabled.status).toBe(200);
    identity = { sub: randomUUID(), email: tess.email, email_verified: true, name: 'Someone at acme' };

    // The provider vouches for Tess's address: the app asks for her password (and then her code) to link.
    const first = await openTab(browser, stack.url);
    await first.page.goto('/signin');
    await first.page.getByRole('link', { name: 'Continue with acme' }).click();
    await first.page.getByRole('heading', { name: 'Link acme to your account' }).waitFor();
    await first.page.getByLabel('Password').fill(PASSWORD);
    await first.page.getByRole('button', { name: 'Link acme' }).click();
    await first.page.getByLabel('Authentication code').fill(totp(setup.body.secret, -1));
    await first.page.getByRole('button', { name: 'Link acme' }).click();
    await first.page.getByRole('banner').getByText('Tess Totp').waitFor();
    await first.context.close();

    // Linked: the next provider sign-in asks for the code before any session exists.
    const second = await openTab(browser, stack.url);
    await second.page.goto('/signin');
    await second.page.getByRole('link', { name: 'Continue with acme' }).click();
    await second.page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    expect((await second.context.cookies()).some((cookie) => cookie.name === 'flux_refresh')).toBe(false);
    await second.page.getByLabel('Authentication code').fill('000000');
    await second.page.getByRole('button', { name: 'Verify' }).click();
    await second.page
      .getByRole('alert')
      .getByText(/code is not right/)
      .waitFor();
    await screenshot(second.page, '11-sign-in-oauth-totp');
    await second.page.getByLabel('Authentication code').fill(enabled.body.recoveryCodes[0]!);
    await second.page.getByRole('button', { name: 'Verify' }).click();
    await second.page.getByRole('banner').getByText('Tess Totp').waitFor();
    expect(second.errors).toEqual([]);
    await second.context.close();
  });
});
