import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { httpClient } from '../support/http.js';
import { invitationTokens, inviteAndAccept } from '../support/invitations.js';
import { apiCall, launchBrowser, openTab, PASSWORD, screenshot, signInInBrowser, signUpViaApi, uniqueEmail } from './browser.js';
import { startStack, type Stack } from './stack.js';

describe('web: invitations', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** The link's token from the dev outbox (the mail is sent just after the invite's answer). */
  const mailedToken = (email: string) =>
    eventually(async () => (await invitationTokens(httpClient(stack.url), email))[0], { what: `the invitation mail to ${email}` });

  /** An owner's organization page, signed in in a browser of their own. */
  async function ownerPage(name: string) {
    const owner = await signUpViaApi(stack.url, name);
    const org = await apiCall<{ id: string }>(stack.url, owner.accessToken, 'POST', '/api/organizations', { name: `${name} Studio` });
    const tab = await openTab(browser, stack.url);
    await signInInBrowser(tab.page, owner.email);
    await tab.page.goto(`/orgs/${org.id}`);
    await tab.page.getByRole('heading', { name: `${name} Studio`, level: 1 }).waitFor();
    return { owner, org, tab };
  }

  async function invite(page: Page, email: string, role: string) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Role', { exact: true }).selectOption(role);
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByText(`Invitation sent to ${email}`).waitFor();
  }

  it('invites by email; the invitee signs up from the mailed link, accepts and lands in the organization', async () => {
    const { org, tab: ada } = await ownerPage('Ada');
    const email = uniqueEmail('nia');
    await invite(ada.page, email, 'member');
    const pending = ada.page.getByRole('list', { name: 'Pending invitations' });
    await pending.getByText(email).waitFor();
    const members = ada.page.getByRole('list', { name: 'Members' });

    // The invitee opens the link signed out: sign-in first, then sign-up, and back to the invitation.
    const nia = await openTab(browser, stack.url);
    await nia.page.goto(`/invite?token=${await mailedToken(email)}`);
    await nia.page.getByText('Sign in, or create an account, to accept your invitation.').waitFor();
    await nia.page.getByRole('link', { name: 'Create an account' }).click();
    await nia.page.getByLabel('Name').fill('Nia Newhire');
    await nia.page.getByLabel('Email').fill(email);
    await nia.page.getByLabel('Password').fill(PASSWORD);
    await nia.page.getByRole('button', { name: 'Create account' }).click();
    await nia.page.getByRole('heading', { name: 'Join an organization' }).waitFor();
    await screenshot(nia.page, '07-invitation');
    await nia.page.getByRole('button', { name: 'Accept invitation' }).click();
    await nia.page.getByRole('heading', { name: 'Ada Studio', level: 1 }).waitFor();
    await nia.page.getByText(/you are a member/).waitFor();
    expect(new URL(nia.page.url()).pathname).toBe(`/orgs/${org.id}`);

    // The owner sees the new member and no pending invitation left.
    await ada.page.reload();
    await members.locator('li', { hasText: 'Nia Newhire' }).waitFor();
    await expect.poll(() => pending.count()).toBe(0);

    expect(ada.errors).toEqual([]);
    expect(nia.errors).toEqual([]);
    await ada.context.close();
    await nia.context.close();
  }, 90_000);

  it('an admin revokes an invitation and its link then fails', async () => {
    const { owner, org, tab: ada } = await ownerPage('Cora');
    const admin = await signUpViaApi(stack.url, 'Abe Admin');
    await inviteAndAccept(httpClient(stack.url), owner, org.id, admin, 'admin');
    await ada.context.close();

    const abe = await openTab(browser, stack.url);
    await signInInBrowser(abe.page, admin.email);
    await abe.page.goto(`/orgs/${org.id}`);
    await abe.page.getByText(/you are an admin/).waitFor();
    const invitee = await signUpViaApi(stack.url, 'Ivy Invitee');
    await invite(abe.page, invitee.email, 'guest');
    const token = await mailedToken(invitee.email);

    abe.page.once('dialog', (dialog) => void dialog.accept());
    await abe.page.getByRole('button', { name: `Revoke the invitation to ${invitee.email}` }).click();
    await abe.page.getByText(`The invitation to ${invitee.email} was revoked.`).waitFor();
    await expect.poll(() => abe.page.getByRole('list', { name: 'Pending invitations' }).getByText(invitee.email).count()).toBe(0);

    const ivy = await openTab(browser, stack.url);
    await signInInBrowser(ivy.page, invitee.email);
    await ivy.page.goto(`/invite?token=${token}`);
    await ivy.page.getByRole('button', { name: 'Accept invitation' }).click();
    await ivy.page
      .getByRole('alert')
      .getByText(/invalid, expired, revoked or already used/)
      .waitFor();
    expect(new URL(ivy.page.url()).pathname).toBe('/invite');
    const refused = await httpClient(stack.url, { token: invitee.accessToken }).get(`/api/organizations/${org.id}`);
    expect(refused.status).toBe(404);

    expect(abe.errors).toEqual([]);
    expect(ivy.errors).toEqual([]);
    await abe.context.close();
    await ivy.context.close();
  }, 90_000);
});
