import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { launchBrowser, openTab, PASSWORD, screenshot, signInInBrowser, signUpInBrowser } from './browser.js';
import { startStack, type Stack } from './stack.js';

/** Anomaly detection as a person meets it: a sign-in from another browser shows on the account page. */
describe('web: security activity', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows a sign-in from a second browser as a new device on the account page and mails a notice; a password change after re-authentication signs that browser out', async () => {
    const laptop = await openTab(browser, stack.url);
    const email = await signUpInBrowser(laptop.page, 'Devi Device');

    // Another browser (its own cookies: an unknown device) signs in to the same account.
    const phone = await openTab(browser, stack.url);
    await signInInBrowser(phone.page, email);

    await laptop.page.goto('/account');
    const events = laptop.page.getByRole('table', { name: 'Recent security activity' });
    await events.getByRole('cell', { name: 'Sign-in from a new device' }).waitFor();
    await laptop.page.getByLabel('Show').selectOption({ label: 'Sign-in from a new device' });
    await eventually(async () => (await events.locator('tbody tr').count()) === 1, { what: 'the filtered table' });
    const row = events.locator('tbody tr').first();
    expect(await row.locator('td').allTextContents()).toEqual([
      'Sign-in from a new device',
      expect.any(String),
      '127.0.0.1',
      expect.stringMatching(/^(Chrome|Chromium)/),
    ]);
    await screenshot(laptop.page, 'security-activity-new-device');

    const notice = await eventually(async () => {
      const outbox = (await (await fetch(`${stack.url}/api/auth/dev/outbox?to=${encodeURIComponent(email)}`)).json()) as {
        items: Array<{ subject: string }>;
      };
      return outbox.items.find((m) => m.subject === 'New sign-in to your FluxStudio account');
    });
    expect(notice).toBeDefined();

    // A new password needs the current one first; the other browser is signed out.
    await laptop.page.getByLabel('New password').fill('Fresh-harbour-violet-58');
    await laptop.page.getByRole('button', { name: 'Change password' }).click();
    await laptop.page.getByLabel('Current password').fill(PASSWORD);
    await laptop.page.getByRole('button', { name: 'Confirm' }).click();
    await laptop.page.getByText('Password changed. Your other sessions were signed out.').waitFor();
    await phone.page.goto('/account');
    await phone.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect([...laptop.errors, ...phone.errors]).toEqual([]);
    await Promise.all([laptop.context.close(), phone.context.close()]);
  }, 90_000);

  it('changes the email from the account page after re-authentication, only once the link mailed to the new address is opened', async () => {
    const tab = await openTab(browser, stack.url);
    const email = await signUpInBrowser(tab.page, 'Emma Moving');
    const newEmail = `moved-${Date.now()}@example.com`;
    const mailTo = (to: string, subject: string) =>
      eventually(async () => {
        const outbox = (await (await fetch(`${stack.url}/api/auth/dev/outbox?to=${encodeURIComponent(to)}`)).json()) as {
          items: Array<{ subject: string; text: string }>;
        };
        return outbox.items.find((m) => m.subject === subject);
      });

    await tab.page.goto('/account');
    await tab.page.getByLabel('New email').fill(newEmail);
    await tab.page.getByRole('button', { name: 'Change email' }).click();
    await tab.page.getByLabel('Current password').fill(PASSWORD);
    await tab.page.getByRole('button', { name: 'Confirm' }).click();
    await tab.page.getByText(`We sent a link to ${newEmail}.`).waitFor();
    expect(await mailTo(email, 'Your FluxStudio email is about to change')).toBeDefined();
    // Not changed yet: the profile still shows the old address.
    await tab.page.reload();
    await tab.page.getByText(email).first().waitFor();

    const link = /https?:\/\/\S+\/verify-email\?token=\S+/.exec(
      (await mailTo(newEmail, 'Confirm your new email for FluxStudio'))?.text ?? '',
    )?.[0];
    expect(link).toBeDefined();
    await tab.page.goto(link!);
    await tab.page.getByText('Your email address is verified.').waitFor();
    await tab.page.goto('/account');
    await tab.page.getByText(newEmail).first().waitFor();
    expect(await tab.page.getByText(email).count()).toBe(0);
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  }, 90_000);
});
