import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, launchBrowser, openTab, screenshot, signInInBrowser, signUpViaApi, type Tab } from './browser.js';
import { httpClient } from '../support/http.js';
import { inviteAndAccept } from '../support/invitations.js';
import { startStack, type Stack } from './stack.js';

// The smallest valid PNG (1×1), so the upload is sniffed as an image.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('web: conversations in real time', () => {
  let stack: Stack;
  let browser: Browser;
  let ada: Tab;
  let bea: Tab;
  let owner: Awaited<ReturnType<typeof signUpViaApi>>;
  let member: Awaited<ReturnType<typeof signUpViaApi>>;

  beforeAll(async () => {
    // The history test sends 120 messages quickly over the API.
    [stack, browser] = await Promise.all([startStack({ MESSAGE_RATE_LIMIT: '1000' }), launchBrowser()]);
    owner = await signUpViaApi(stack.url, 'Ada Lovelace');
    member = await signUpViaApi(stack.url, 'Bea Curie');
    const org = await apiCall<{ id: string }>(stack.url, owner.accessToken, 'POST', '/api/organizations', { name: 'Acme Studio' });
    await inviteAndAccept(httpClient(stack.url), owner, org.id, member, 'member');
    ada = await openTab(browser, stack.url);
    bea = await openTab(browser, stack.url);
    await Promise.all([signInInBrowser(ada.page, owner.email), signInInBrowser(bea.page, member.email)]);
  }, 120_000);
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    await screenshot(ada.page, `failed-${context.task.name.slice(0, 20)}-ada`).catch(() => undefined);
    await screenshot(bea.page, `failed-${context.task.name.slice(0, 20)}-bea`).catch(() => undefined);
    console.log('ada errors', ada.errors, 'bea errors', bea.errors);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('two people chat live: unread badge, bell, typing, presence, reactions, edits, threads, read state, files', async () => {
    const a = ada.page;
    const b = bea.page;

    // Ada starts a direct conversation with Bea.
    await a.goto('/conversations');
    await a.getByRole('button', { name: 'New' }).click();
    await a.getByLabel('Bea Curie').check();
    await a.getByRole('button', { name: 'Start conversation' }).click();
    await a.waitForURL(/\/conversations\/[0-9a-f-]{36}$/);
    const conversationUrl = new URL(a.url()).pathname;

    // Bea is on another page; the conversation and its unread count arrive live.
    await b.goto('/account');
    await a.getByRole('textbox', { name: 'Message' }).fill('Hello Bea, the storyboard is ready');
    await a.getByRole('textbox', { name: 'Message' }).press('Enter');
    await a.getByTestId('messages').getByText('Hello Bea, the storyboard is ready').waitFor();
    const sidebarB = b.getByRole('navigation', { name: 'Workspace' });
    await sidebarB.getByLabel('1 unread').waitFor();
    await b.getByRole('button', { name: /Notifications, [1-9] unread/ }).waitFor();

    await sidebarB.getByRole('link', { name: /Ada Lovelace/ }).click();
    await b.getByTestId('messages').getByText('Hello Bea, the storyboard is ready').waitFor();
    await expect.poll(() => sidebarB.getByLabel('1 unread').count()).toBe(0);

    // Presence and typing.
    await a.locator('.presence li', { hasText: 'Bea Curie' }).getByText('online').waitFor();
    await b.getByRole('textbox', { name: 'Message' }).pressSequentially('Looks gr');
    await a.getByText('Bea Curie is typing…').waitFor();

    // Bea answers with a mention; Ada sees it without reloading, and it is read ("Seen by").
    await b.getByRole('textbox', { name: 'Message' }).fill('Looks great @Ada ');
    await b.getByRole('textbox', { name: 'Message' }).press('Enter');
    const fromBea = a.getByTestId('message').filter({ hasText: 'Looks great' });
    await fromBea.waitFor();
    expect(await fromBea.locator('mark.mention').textContent()).toBe('@Ada');
    await a.getByText('Seen by Bea Curie').waitFor();
    expect(await a.getByText('Bea Curie is typing…').count()).toBe(0);

    // Ada reacts; Bea sees the count.
    await fromBea.hover();
    await fromBea.getByLabel('Add reaction').click();
    await fromBea.getByRole('button', { name: 'React 👍' }).click();
    await b.getByTestId('message').filter({ hasText: 'Looks great' }).getByRole('button', { name: '👍 1' }).waitFor();

    // Ada edits her message; Bea sees the new text.
    const mine = a.getByTestId('message').filter({ hasText: 'Hello Bea' });
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit' }).click();
    await a.getByLabel('Edit message').fill('Hello Bea, storyboard v2 is ready');
    await a.getByLabel('Edit message').press('Enter');
    await b.getByTestId('message').filter({ hasText: 'storyboard v2' }).getByText('(edited)').waitFor();

    // A thread reply.
    const beaMessageOnB = b.getByTestId('message').filter({ hasText: 'Looks great' });
    await beaMessageOnB.hover();
    await beaMessageOnB.getByRole('button', { name: 'Reply' }).click();
    await b.getByRole('textbox', { name: 'Reply in thread' }).fill('Sending the final frames tonight');
    await b.getByRole('textbox', { name: 'Reply in thread' }).press('Enter');
    await fromBea.getByRole('button', { name: '1 reply' }).waitFor();
    await fromBea.getByRole('button', { name: '1 reply' }).click();
    await a.getByRole('complementary', { name: 'Thread' }).getByText('Sending the final frames tonight').waitFor();

    // A file with a progress bar, shown to the other person as an image.
    await a
      .getByRole('group', { name: 'Message' })
      .getByLabel('Attach files')
      .setInputFiles({ name: 'frame.png', mimeType: 'image/png', buffer: png });
    await a.locator('.uploads progress').first().waitFor({ state: 'attached' });
    await expect.poll(() => a.locator('.uploads progress').first().getAttribute('value')).toBe('1');
    await a.getByRole('textbox', { name: 'Message' }).fill('Frame attached');
    await a.getByRole('textbox', { name: 'Message' }).press('Enter');
    await b.getByTestId('message').filter({ hasText: 'Frame attached' }).getByRole('img', { name: 'frame.png' }).waitFor();

    // Full-text search finds Bea's message and opens its conversation.
    await a.goto('/conversations');
    await a.getByLabel('Search messages').fill('storyboard');
    const results = a.getByRole('list', { name: 'Search results' });
    await results.getByText(/storyboard v2 is ready/).waitFor();
    await results.getByRole('link').first().click();
    await a.waitForURL(`**${conversationUrl}`);
    await a.getByTestId('messages').getByText('Frame attached').waitFor();

    await screenshot(a, '07-conversation-ada');
    await screenshot(b, '08-conversation-bea');
    expect(new URL(b.url()).pathname).toBe(conversationUrl);
    expect(ada.errors).toEqual([]);
    expect(bea.errors).toEqual([]);
  }, 90_000);

  it('sends while the connection is down and delivers once it is back, without duplicates', async () => {
    const a = ada.page;
    const b = bea.page;
    await ada.context.setOffline(true);
    await a.getByText(/You are offline|Reconnecting/).waitFor();
    await a.getByRole('textbox', { name: 'Message' }).fill('Written on the train');
    await a.getByRole('textbox', { name: 'Message' }).press('Enter');
    await a.getByTestId('messages').getByText('Written on the train').waitFor();
    // Bea writes while Ada is away; Ada gets it after reconnecting (sync), with nothing doubled.
    await b.getByRole('textbox', { name: 'Message' }).fill('Call me when you land');
    await b.getByRole('textbox', { name: 'Message' }).press('Enter');
    await b.getByTestId('messages').getByText('Call me when you land').waitFor();
    await ada.context.setOffline(false);
    await a.getByTestId('messages').getByText('Call me when you land').waitFor();
    await b.getByTestId('messages').getByText('Written on the train').waitFor();
    await expect.poll(() => a.locator('[data-pending="true"]').count()).toBe(0);
    await expect.poll(() => a.getByTestId('messages').getByText('Written on the train').count()).toBe(1);
    expect(await b.getByTestId('messages').getByText('Written on the train').count()).toBe(1);
    expect(await a.getByTestId('messages').getByText('Call me when you land').count()).toBe(1);
    await expect.poll(() => a.getByText(/You are offline|Reconnecting/).count()).toBe(0);
  }, 60_000);

  it('loads older history on scroll, deletes own messages, and clears notifications', async () => {
    const a = ada.page;
    const b = bea.page;
    // A long group history, sent over the API.
    const group = await apiCall<{ id: string }>(stack.url, owner.accessToken, 'POST', '/api/conversations', {
      type: 'group',
      name: 'Archive',
      memberIds: [member.user.id],
    });
    for (let i = 1; i <= 120; i++) {
      await apiCall(stack.url, owner.accessToken, 'POST', `/api/conversations/${group.id}/messages`, {
        content: `History ${i}`,
        clientId: `h-${i}`,
      });
    }
    await b.goto(`/conversations/${group.id}`);
    const messages = b.getByTestId('messages');
    await messages.getByText('History 120', { exact: true }).waitFor();
    expect(await messages.getByText('History 1', { exact: true }).count()).toBe(0);
    // Scrolling up pages back until the start of the conversation.
    for (let page = 0; page < 5 && (await messages.getByText('This is the beginning of the conversation.').count()) === 0; page++) {
      await messages.evaluate((el) => el.scrollTo(0, 0));
      await b.waitForTimeout(300);
    }
    await messages.getByText('History 1', { exact: true }).waitFor();
    expect(
      await b
        .getByTestId('message')
        .filter({ hasText: /History \d+/ })
        .count(),
    ).toBe(120);

    // Ada deletes one of her messages; Bea sees it go.
    await a.goto(`/conversations/${group.id}`);
    const last = a.getByTestId('message').filter({ hasText: 'History 120' });
    await last.hover();
    a.once('dialog', (dialog) => void dialog.accept());
    await last.getByRole('button', { name: 'Delete' }).click();
    await messages.getByText('This message was deleted.').waitFor();
    expect(await messages.getByText('History 120', { exact: true }).count()).toBe(0);

    // Bea's notifications: open the bell, mark all read, the count clears.
    const bell = b.getByRole('button', { name: /^Notifications, \d+ unread$/ });
    await bell.click();
    await b.getByRole('dialog', { name: 'Notifications' }).waitFor();
    await b.getByRole('button', { name: 'Mark all read' }).click();
    await b.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    await b.reload();
    await b.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    expect(bea.errors).toEqual([]);
  }, 90_000);

  it('a member removed from a group sees it leave the sidebar and the list at once, without a reload', async () => {
    const b = bea.page;
    await b.goto('/conversations');
    const group = await apiCall<{ id: string }>(stack.url, owner.accessToken, 'POST', '/api/conversations', {
      type: 'group',
      name: 'Launch crew',
      memberIds: [member.user.id],
    });
    const inSidebar = b.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Launch crew' });
    // The page's own list (the sidebar's section has the same name).
    const inList = b.locator('.conversation-list').getByRole('link', { name: /Launch crew/ });
    await inSidebar.waitFor();
    await inList.waitFor();
    // A property on this document's window: a reload would start without it.
    await b.evaluate(() => Object.assign(window, { beforeRemoval: true }));

    await apiCall(stack.url, owner.accessToken, 'DELETE', `/api/conversations/${group.id}/members/${member.user.id}`);
    await inSidebar.waitFor({ state: 'detached' });
    await inList.waitFor({ state: 'detached' });
    expect(await b.evaluate(() => 'beforeRemoval' in window)).toBe(true);
    expect(bea.errors).toEqual([]);
  }, 60_000);
});
