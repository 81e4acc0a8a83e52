import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openTab, PASSWORD, screenshot, signUpInBrowser, signUpViaApi } from './browser.js';
import { eventually } from '../support/eventually.js';
import { httpClient } from '../support/http.js';
import { invitationTokens } from '../support/invitations.js';
import { startStack, type Stack } from './stack.js';

describe('web: organizations and projects', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('creates an organization and a project, invites people with a role, lists members, switches organizations', async () => {
    const { page, context, errors } = await openTab(browser, stack.url);
    const bea = await signUpViaApi(stack.url, 'Bea Curie');
    await signUpInBrowser(page, 'Ada Owner');

    await page.getByRole('heading', { name: 'Welcome to FluxStudio' }).waitFor();
    await page.getByLabel('Organization name').fill('Acme Studio');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('heading', { name: 'Acme Studio', level: 1 }).waitFor();
    expect(await page.getByLabel('Organization', { exact: true }).inputValue()).toBeTruthy();

    await page.getByLabel('New project name').fill('Spring Launch');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Spring Launch', level: 1 }).waitFor();
    await page
      .getByRole('navigation', { name: 'Workspace' })
      .getByRole('region', { name: 'Projects' })
      .getByRole('link', { name: 'Spring Launch' })
      .waitFor();
    await screenshot(page, '06-project');

    // The project's own conversation opens from the project page.
    await page.getByRole('button', { name: 'Project chat' }).click();
    await page.waitForURL(/\/conversations\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Spring Launch', level: 2, exact: true }).waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('Kick-off notes go here');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await page.getByTestId('messages').getByText('Kick-off notes go here').waitFor();
    await page.goBack();

    // Invite an existing account and an address without an account: both get an invitation, the
    // same answer either way; nobody is a member before accepting.
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Members & settings' }).click();
    const members = page.getByRole('list', { name: 'Members' });
    await members.getByText('Ada Owner').waitFor();
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByText('Enter a valid email address.').waitFor();

    await page.getByLabel('Email').fill(bea.email);
    await page.getByLabel('Role', { exact: true }).selectOption('admin');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByText(`Invitation sent to ${bea.email}`).waitFor();

    const nobody = `nobody-${Date.now()}@example.com`;
    await page.getByLabel('Email').fill(nobody);
    await page.getByLabel('Role', { exact: true }).selectOption('guest');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByText(`Invitation sent to ${nobody}`).waitFor();
    const pending = page.getByRole('list', { name: 'Pending invitations' });
    await pending.getByText(bea.email).waitFor();
    await pending.getByText(nobody).waitFor();
    expect(await members.locator('li', { hasText: 'Bea Curie' }).count()).toBe(0);
    await screenshot(page, '06-organization-members');

    // Bea opens the mailed link, signs in and accepts: she joins as the admin she was invited as.
    const beaTab = await openTab(browser, stack.url);
    const token = await eventually(async () => (await invitationTokens(httpClient(stack.url), bea.email))[0], {
      what: 'the invitation mail to Bea',
    });
    await beaTab.page.goto(`/invite?token=${token}`);
    await beaTab.page.getByLabel('Email').fill(bea.email);
    await beaTab.page.getByLabel('Password').fill(PASSWORD);
    await beaTab.page.getByRole('button', { name: 'Sign in' }).click();
    await beaTab.page.getByRole('button', { name: 'Accept invitation' }).click();
    await beaTab.page.getByRole('heading', { name: 'Acme Studio', level: 1 }).waitFor();
    await beaTab.page.getByText(/you are an admin/).waitFor();
    await page.reload();
    await members.locator('li', { hasText: 'Bea Curie' }).waitFor();
    expect(await page.getByLabel('Role of Bea Curie').inputValue()).toBe('admin');

    // The owner changes Bea's role; it sticks after a reload (taken once the change is answered: a
    // reload would abort the request in flight).
    const changed = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/members/${bea.user.id}`));
    await page.getByLabel('Role of Bea Curie').selectOption('member');
    expect((await changed).status()).toBe(200);
    await page.reload();
    await expect.poll(() => page.getByLabel('Role of Bea Curie').inputValue()).toBe('member');

    // A second organization, then switch back with the switcher.
    await page.getByLabel('Organization', { exact: true }).selectOption({ label: '+ New organization…' });
    await page.getByLabel('Organization name').fill('Side Project Co');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('heading', { name: 'Side Project Co', level: 1 }).waitFor();
    await expect
      .poll(() =>
        page.getByRole('navigation', { name: 'Workspace' }).getByRole('region', { name: 'Projects' }).getByText('Spring Launch').count(),
      )
      .toBe(0);
    await page.getByLabel('Organization', { exact: true }).selectOption({ label: 'Acme Studio' });
    await page.getByRole('heading', { name: 'Acme Studio', level: 1 }).waitFor();
    await page
      .getByRole('navigation', { name: 'Workspace' })
      .getByRole('region', { name: 'Projects' })
      .getByRole('link', { name: 'Spring Launch' })
      .waitFor();

    // The owner renames the organization; a taken URL name is refused next to its field.
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Organization name').fill('Acme Studios');
    await page.getByLabel('URL name').fill('side-project-co');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.field-error').first().waitFor();
    const slug = `acme-${Date.now().toString(36)}`;
    await page.getByLabel('URL name').fill(slug);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Acme Studios', level: 1 }).waitFor();
    await page.getByText(`/${slug}`).waitFor();
    await expect.poll(() => page.getByLabel('Organization', { exact: true }).locator('option:checked').textContent()).toBe('Acme Studios');

    // Bea sees the organization she joined, renamed, with the role the owner gave her since.
    await beaTab.page.reload();
    await beaTab.page.getByRole('heading', { name: 'Acme Studios', level: 1 }).waitFor();
    await beaTab.page.getByText(/you are a member/).waitFor();

    expect(errors).toEqual([]);
    expect(beaTab.errors).toEqual([]);
    await context.close();
    await beaTab.context.close();
  }, 90_000);
});
