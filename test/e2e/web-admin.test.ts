import { mkdirSync } from 'node:fs';
import type { Page as BrowserPage, Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCommand } from '../../packages/cli/src/commands/admin.js';
import { eventually } from '../support/eventually.js';
import { httpClient } from '../support/http.js';
import { apiCall, launchBrowser, openTab, PASSWORD, signInInBrowser, signUpInBrowser, signUpViaApi } from './browser.js';
import { startStack, type Stack } from './stack.js';

const SHOTS = '/tmp/shots/workspace';
const shot = async (page: BrowserPage, name: string) => {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
};

/** The admin console in Chromium: granted with `./flux admin grant`, hidden (404) from everyone else. */
describe('web: admin console', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('is a 404 for a non-admin; an admin granted by the CLI finds a user, disables them (sign-in refused, tokens refused by every service, their open tab signed out), signs one out everywhere, reads the security log and the system status', async () => {
    // Vic, a designer with an organization, signed in in their own browser.
    const vicTab = await openTab(browser, stack.url);
    const vicEmail = await signUpInBrowser(vicTab.page, 'Vic Vega');
    const vic = await signUpViaApi(stack.url, 'Vic Second Account');
    const studio = `Vega Prints ${Date.now().toString(36)}`;
    await apiCall(stack.url, vic.accessToken, 'POST', '/api/organizations', { name: studio });
    await vicTab.page.goto('/admin');
    await vicTab.page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(await vicTab.page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    expect((await httpClient(stack.url, { token: vic.accessToken }).get('/api/admin/users')).status).toBe(404);

    // The operator signs up, then is granted with `./flux admin grant <email>`.
    const { page, context, errors } = await openTab(browser, stack.url);
    page.on('dialog', (dialog) => void dialog.accept());
    const inesEmail = await signUpInBrowser(page, 'Ines Operator');
    const out: string[] = [];
    const granted = await adminCommand(['grant', inesEmail], {
      root: '.',
      env: { DATABASE_URL: process.env.DATABASE_URL },
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });
    expect(granted, out.join('\n')).toBe(0);
    await page.reload();
    await page.getByRole('banner').getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Admin console', level: 1 }).waitFor();

    // Users: search, then disable the second account of Vic's (with its token in hand).
    await page.getByRole('searchbox', { name: 'Search by name or email' }).fill(vic.email);
    await page.getByRole('button', { name: 'Search' }).click();
    const users = page.getByRole('table', { name: 'Users' });
    await expect.poll(() => users.locator('tbody tr').count()).toBe(1);
    await users.getByRole('cell', { name: vic.email }).waitFor();
    await page.getByRole('button', { name: 'Disable Vic Second Account' }).click();
    await page.getByText('Vic Second Account was disabled and signed out everywhere.').waitFor();
    await users.getByText('disabled').waitFor();
    await shot(page, '05-admin-users');
    // Refused everywhere: auth at once, messaging and collab as soon as sessions.revoked is relayed.
    const asVic = httpClient(stack.url, { token: vic.accessToken });
    expect((await asVic.get('/api/auth/me')).status).toBe(401);
    await eventually(async () => (await asVic.get('/api/conversations')).status === 401, { what: 'messaging refusing the token' });
    await eventually(async () => (await asVic.get(`/api/documents?projectId=${crypto.randomUUID()}`)).status === 401, {
      what: 'collab refusing the token',
    });
    const refused = await httpClient(stack.url).post<{ error: { code: string } }>('/api/auth/login', {
      email: vic.email,
      password: PASSWORD,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_disabled');

    // Disabling the account Vic has open in the browser: the tab is signed out and cannot sign back in.
    await page.getByRole('searchbox', { name: 'Search by name or email' }).fill(vicEmail);
    await page.getByRole('button', { name: 'Search' }).click();
    await users.getByRole('cell', { name: vicEmail }).waitFor();
    await page.getByRole('button', { name: 'Disable Vic Vega' }).click();
    await page.getByText('Vic Vega was disabled and signed out everywhere.').waitFor();
    await vicTab.page.goto('/');
    await vicTab.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await vicTab.page.getByLabel('Email').fill(vicEmail);
    await vicTab.page.getByLabel('Password').fill(PASSWORD);
    await vicTab.page.getByRole('button', { name: 'Sign in' }).click();
    await vicTab.page.getByText('This account has been disabled. Contact your administrator.').waitFor();
    await shot(vicTab.page, '06-disabled-sign-in');
    // Enabled again, Vic signs in.
    await page.getByRole('button', { name: 'Enable Vic Vega' }).click();
    await page.getByText('Vic Vega can sign in again.').waitFor();
    await signInInBrowser(vicTab.page, vicEmail);
    // Signed out everywhere (the account stays enabled): the tab is back at sign-in after a reload.
    await page.getByRole('button', { name: 'Sign out Vic Vega everywhere' }).click();
    await page.getByText('Vic Vega was signed out everywhere.').waitFor();
    await vicTab.page.reload();
    await vicTab.page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // Organizations.
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('searchbox', { name: 'Search by name or slug' }).fill(studio);
    await page.getByRole('button', { name: 'Search' }).click();
    const organizations = page.getByRole('table', { name: 'Organizations' });
    await expect.poll(() => organizations.locator('tbody tr').count()).toBe(1);
    await organizations.getByRole('cell', { name: studio }).waitFor();
    await organizations.getByRole('cell', { name: new RegExp(`Vic Second Account <${vic.email}>`) }).waitFor();

    // Security events, filtered by type and user.
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Security events' }).click();
    const events = page.getByRole('table', { name: 'Security events' });
    await page.getByLabel('User id').fill(vic.user.id);
    await events.getByRole('cell', { name: 'Account created' }).waitFor();
    await page.getByLabel('Type').selectOption({ label: 'Account disabled by an administrator' });
    await expect.poll(() => events.locator('tbody tr td:first-child').allTextContents()).toEqual(['Account disabled by an administrator']);
    await shot(page, '07-admin-security-events');

    // System status: every service healthy, the stores, queues, versions, migrations.
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'System status' }).click();
    const services = page.getByRole('table', { name: 'Services' });
    await services.locator('tbody tr').first().waitFor();
    const rows = await services
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.map((cells) => [cells[0], cells[3], cells[4], cells[5]])).toEqual([
      ['auth', 'ok', 'ok', 'ok'],
      ['messaging', 'ok', 'ok', 'ok'],
      ['collab', 'ok', 'ok', 'ok'],
    ]);
    await page
      .getByRole('region', { name: 'Stores' })
      .getByText(/PostgreSQL \d+/)
      .waitFor();
    await page.getByRole('table', { name: 'Queues' }).getByRole('cell', { name: 'auth-maintenance' }).waitFor();
    await page.getByRole('table', { name: 'Queues' }).getByRole('cell', { name: 'collab-trash' }).waitFor();
    await page.getByText(/^auth: \d+ applied, latest 0007_workspace_admin\.sql$/).waitFor();
    await shot(page, '08-admin-status');
    expect([...errors, ...vicTab.errors]).toEqual([]);
    await Promise.all([context.close(), vicTab.context.close()]);
  }, 120_000);
});
