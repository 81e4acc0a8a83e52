import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { OutboxMail, Page } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { httpClient } from '../support/http.js';
import { launchBrowser, openTab, PASSWORD, screenshot, screenshotDir, totp, uniqueEmail } from './browser.js';
import { startStack, type Stack } from './stack.js';

function writeMetrics(metrics: Record<string, unknown>): void {
  mkdirSync(dirname(screenshotDir), { recursive: true });
  writeFileSync(join(dirname(screenshotDir), 'web-metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
}

/** The web app in Debian's Chromium against the built services behind nginx. */
describe('web: accounts', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
  /** The dev outbox's mails to `email`, newest first. */
  const outboxOf = async (email: string) =>
    (await httpClient(stack.url).get<Page<OutboxMail>>('/api/auth/dev/outbox', { query: { to: email } })).body.items;

  it('signs up, verifies email, signs out, signs in, keeps the session over a reload, and adds TOTP', async () => {
    const { page, context, errors } = await openTab(browser, stack.url);
    const email = uniqueEmail('ada');

    await page.goto('/');
    await page.waitForURL('**/signin');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, '01-sign-in');
    // Recorded for the release notes, not asserted: timings vary from machine to machine.
    const paint = await page.evaluate(() => ({
      firstContentfulPaintMs: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
      domContentLoadedMs:
        (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.domContentLoadedEventEnd ?? null,
      signInRenderedMs: performance.now(),
    }));
    writeMetrics({ signInPage: paint });
    await page.getByRole('link', { name: 'Create an account' }).click();

    // The server's own validation, shown next to the field.
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toBeTruthy();
    expect(await page.locator('body').textContent()).not.toContain('{"error"');
    await screenshot(page, '02-sign-up-error');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Welcome to FluxStudio' }).waitFor();
    await page.getByText('Please verify your email address').waitFor();

    // The verification link from the dev outbox.
    const outbox = await outboxOf(email);
    const token = /token=([\w-]+)/.exec(outbox[0]?.text ?? '')?.[1];
    expect(token).toBeTruthy();
    await page.goto(`/verify-email?token=${token}`);
    await page.getByText('Your email address is verified.').waitFor();
    await page.getByRole('link', { name: 'Continue to FluxStudio' }).click();
    await page.getByRole('heading', { name: 'Welcome to FluxStudio' }).waitFor();
    expect(await page.getByText('Please verify your email address').count()).toBe(0);

    // A reload keeps the session: the access token is only in memory, the refresh cookie restores it.
    await page.reload();
    await page.getByRole('heading', { name: 'Welcome to FluxStudio' }).waitFor();
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'flux_refresh')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' });

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // Keyboard only: the email field has focus, Tab moves to the password, Enter submits.
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Wrong-password-123');
    await page.keyboard.press('Enter');
    await page.getByText('That email and password do not match.').waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Welcome to FluxStudio' }).waitFor();

    // Two-step verification: scan (read the key), confirm, keep the recovery codes.
    await page.goto('/account');
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    // Changing two-step verification asks for the password again first.
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    await expect.poll(() => page.getByRole('img', { name: /QR code/ }).count()).toBe(1);
    await screenshot(page, '03-mfa-setup');
    await page.getByLabel('Code from the app').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Two-step verification is on.').waitFor();
    expect(await page.getByRole('list', { name: 'Recovery codes' }).locator('li').count()).toBe(10);
    await screenshot(page, '04-account');

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').waitFor();
    await screenshot(page, '05-sign-in-totp');
    // Codes are single use; the next step's code is accepted (one step of drift) and is a different one.
    await page.getByLabel('Authentication code').fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Welcome to FluxStudio' }).waitFor();

    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('resets a forgotten password from the emailed link', async () => {
    const { page, context, errors } = await openTab(browser, stack.url);
    const email = uniqueEmail('forgetful');
    expect((await httpClient(stack.url).post('/api/auth/signup', { name: 'Forgetful Fred', email, password: PASSWORD })).status).toBe(201);
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText(`If an account exists for ${email}`).waitFor();

    const mail = await eventually(async () => (await outboxOf(email)).find((m) => /reset-password/.test(m.text)), {
      what: 'the reset mail',
    });
    const link = new URL(/(http\S+reset-password\S+)/.exec(mail.text)![1]!);
    await page.goto(link.pathname + link.search);
    await page.getByLabel('New password').fill('Fresh-meadow-canyon-77');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password has been changed').waitFor();

    await page.getByRole('main').getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('Fresh-meadow-canyon-77');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Welcome to FluxStudio' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
