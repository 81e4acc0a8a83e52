import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openTab, screenshot } from './browser.js';
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
});
