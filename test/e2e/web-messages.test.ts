import type { Conversation, Notification, Page as ApiPage } from '@flux/shared';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../support/http.js';
import { inviteAndAccept } from '../support/invitations.js';
import { apiCall, launchBrowser, openTab, screenshot, signInInBrowser, signUpViaApi, type Tab } from './browser.js';
import { startStack, type Stack } from './stack.js';

type Account = Awaited<ReturnType<typeof signUpViaApi>>;

/** Issue 14 item 2 in Chromium: Markdown, drafts, pins, mute, archive and the members of a group, between two people. */
describe('web: messages features', () => {
  let stack: Stack;
  let browser: Browser;
  let ada: Tab;
  let bea: Tab;
  let owner: Account;
  let member: Account;
  let cy: Account;
  let direct: Conversation;

  const conversations = async (who: Account) =>
    (await apiCall<ApiPage<Conversation>>(stack.url, who.accessToken, 'GET', '/api/conversations')).items;
  const notifications = async (who: Account) =>
    (await apiCall<ApiPage<Notification>>(stack.url, who.accessToken, 'GET', '/api/notifications')).items;
  const send = (who: Account, conversationId: string, content: string) =>
    apiCall<{ id: string }>(stack.url, who.accessToken, 'POST', `/api/conversations/${conversationId}/messages`, {
      content,
      clientId: crypto.randomUUID(),
    });

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    [owner, member, cy] = await Promise.all([
      signUpViaApi(stack.url, 'Ada Lovelace'),
      signUpViaApi(stack.url, 'Bea Curie'),
      signUpViaApi(stack.url, 'Cy Twombly'),
    ]);
    const org = await apiCall<{ id: string }>(stack.url, owner.accessToken, 'POST', '/api/organizations', { name: 'Acme Studio' });
    await inviteAndAccept(httpClient(stack.url), owner, org.id, member, 'member');
    await inviteAndAccept(httpClient(stack.url), owner, org.id, cy, 'member');
    direct = await apiCall<Conversation>(stack.url, owner.accessToken, 'POST', '/api/conversations', {
      type: 'direct',
      memberIds: [member.user.id],
    });
    ada = await openTab(browser, stack.url);
    bea = await openTab(browser, stack.url);
    await Promise.all([signInInBrowser(ada.page, owner.email), signInInBrowser(bea.page, member.email)]);
  }, 120_000);
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    await screenshot(ada.page, `messages-failed-${context.task.name.slice(0, 20)}-ada`).catch(() => undefined);
    await screenshot(bea.page, `messages-failed-${context.task.name.slice(0, 20)}-bea`).catch(() => undefined);
    console.log('ada errors', ada.errors, 'bea errors', bea.errors);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('renders Markdown safely (a <script> shows as text), links open in a new tab with rel, and a draft survives a reload', async () => {
    const a = ada.page;
    const b = bea.page;
    await Promise.all([a.goto(`/conversations/${direct.id}`), b.goto(`/conversations/${direct.id}`)]);
    const composer = a.getByRole('textbox', { name: 'Message' });
    await composer.fill(
      [
        '**Brief** is _ready_ for @Bea, run `make frames`',
        '```',
        'frames: 24fps',
        '```',
        '- storyboard',
        '- colour script',
        '',
        '> keep it simple',
        '',
        'see [the moodboard](https://example.com/mood) <script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2">',
      ].join('\n'),
    );
    await composer.press('Enter');

    const message = b.getByTestId('message').filter({ hasText: 'for @Bea' });
    await message.waitFor();
    const body = message.locator('.markdown');
    expect(await body.locator('strong').textContent()).toBe('Brief');
    expect(await body.locator('em').textContent()).toBe('ready');
    expect(await body.locator('p code').textContent()).toBe('make frames');
    expect(await body.locator('pre code').textContent()).toBe('frames: 24fps\n');
    expect(await body.locator('li').allTextContents()).toEqual(['storyboard', 'colour script']);
    expect((await body.locator('blockquote').textContent())?.trim()).toBe('keep it simple');
    // Mentions are still highlighted inside rendered Markdown.
    expect(await body.locator('mark.mention').textContent()).toBe('@Bea');
    const link = message.getByRole('link', { name: 'the moodboard' });
    expect(await link.getAttribute('href')).toBe('https://example.com/mood');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    // Raw HTML is the text that was typed: shown, never run.
    await message.getByText('<script>window.__pwned = 1</script>').waitFor();
    expect(await message.locator('script, img').count()).toBe(0);
    expect(await b.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    await screenshot(b, 'messages-01-markdown-bea');
    await b.emulateMedia({ colorScheme: 'dark' });
    await screenshot(b, 'messages-01-markdown-bea-dark');
    await b.emulateMedia({ colorScheme: 'light' });

    // Bea starts an answer, reloads: it is still there; sending clears it for good.
    const answer = b.getByRole('textbox', { name: 'Message' });
    await answer.fill('Half-written **answer**');
    await b.reload();
    await expect.poll(() => b.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('Half-written **answer**');
    await b.getByRole('textbox', { name: 'Message' }).press('Enter');
    await a.getByTestId('message').filter({ hasText: 'Half-written' }).locator('strong', { hasText: 'answer' }).waitFor();
    await b.reload();
    await b.getByTestId('message').filter({ hasText: 'Half-written' }).waitFor();
    expect(await b.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('');
    expect(ada.errors).toEqual([]);
    expect(bea.errors).toEqual([]);
  }, 90_000);

  it('shows a pin to the other member live, and unpins from the pinned list', async () => {
    const a = ada.page;
    const b = bea.page;
    await Promise.all([a.goto(`/conversations/${direct.id}`), b.goto(`/conversations/${direct.id}`)]);
    const onBea = b.getByTestId('message').filter({ hasText: 'for @Bea' });
    await onBea.hover();
    await onBea.getByRole('button', { name: 'Pin' }).click();

    const onAda = a.getByTestId('message').filter({ hasText: 'for @Bea' });
    await onAda.getByText('Pinned', { exact: true }).waitFor();
    await a.getByRole('button', { name: 'Pinned (1)' }).click();
    const panel = a.getByRole('complementary', { name: 'Pinned messages' });
    await panel.getByTestId('pinned-message').filter({ hasText: 'for @Bea' }).waitFor();
    await panel.getByText('Pinned by Bea Curie').waitFor();
    await screenshot(a, 'messages-02-pins-ada');

    await panel.getByRole('button', { name: 'Unpin' }).click();
    await expect.poll(() => b.locator('[data-testid="message"][data-pinned="true"]').count()).toBe(0);
    await b.getByRole('button', { name: 'Pinned', exact: true }).waitFor();
  }, 60_000);

  it('mutes per person: a muted group notifies nobody who muted it, its badge is quiet', async () => {
    const b = bea.page;
    const group = await apiCall<Conversation>(stack.url, owner.accessToken, 'POST', '/api/conversations', {
      type: 'group',
      name: 'Render farm',
      memberIds: [member.user.id, cy.user.id],
    });
    await b.goto(`/conversations/${group.id}`);
    await b.getByRole('button', { name: 'Mute' }).click();
    await b.getByRole('button', { name: 'Unmute' }).waitFor();
    await b.getByRole('heading', { name: /Render farm\s*\(muted\)/ }).waitFor();

    await b.goto('/conversations');
    const everyone = await send(owner, group.id, '@all the farm is back up');
    // Cy (not muted) is told by the very job that would have told Bea.
    await expect.poll(async () => (await notifications(cy)).some((n) => n.data.messageId === everyone.id), { timeout: 20_000 }).toBe(true);
    expect((await notifications(member)).filter((n) => n.data.messageId === everyone.id)).toEqual([]);
    const row = b.getByRole('list', { name: 'Active conversations' }).locator(`a[href="/conversations/${group.id}"]`);
    await row.locator('.badge.quiet').waitFor();
    await screenshot(b, 'messages-03-muted-bea');
  }, 60_000);

  it('archives per person: hidden in an Archived section, back when a message arrives unless muted', async () => {
    const b = bea.page;
    await b.goto(`/conversations/${direct.id}`);
    await b.getByRole('button', { name: 'Archive' }).click();
    await b.getByRole('button', { name: 'Unarchive' }).waitFor();
    const active = b.getByRole('list', { name: 'Active conversations' });
    const archived = b.getByRole('list', { name: 'Archived conversations' });
    const link = (id: string) => `a[href="/conversations/${id}"]`;
    await archived.locator(link(direct.id)).waitFor();
    expect(await active.locator(link(direct.id)).count()).toBe(0);
    expect(await b.getByRole('navigation', { name: 'Workspace' }).locator(link(direct.id)).count()).toBe(0);
    await screenshot(b, 'messages-04-archived-bea');
    // Ada's list is hers.
    expect((await conversations(owner)).find((c) => c.id === direct.id)?.archived).toBe(false);

    // A new message brings it back, live.
    await b.goto('/conversations');
    await send(owner, direct.id, 'Back from the archive?');
    await active.locator(link(direct.id)).waitFor();
    expect(await archived.count()).toBe(0);

    // The muted group stays archived whatever arrives; Unarchive brings it back.
    const farm = (await conversations(member)).find((c) => c.name === 'Render farm');
    if (!farm) throw new Error('the Render farm group is missing');
    await b.goto(`/conversations/${farm.id}`);
    await b.getByRole('button', { name: 'Archive' }).click();
    await b.getByRole('button', { name: 'Unarchive' }).waitFor();
    await send(owner, farm.id, 'still rendering');
    await b.getByTestId('message').filter({ hasText: 'still rendering' }).waitFor();
    await archived.locator(link(farm.id)).waitFor();
    expect((await conversations(member)).find((c) => c.id === farm.id)).toMatchObject({ archived: true, muted: true });
    await b.getByRole('button', { name: 'Unarchive' }).click();
    await active.locator(link(farm.id)).waitFor();
    expect(bea.errors).toEqual([]);
  }, 60_000);

  it('manages a group: rename, add and remove people, leave — each seen live by the others', async () => {
    const a = ada.page;
    const b = bea.page;
    const group = await apiCall<Conversation>(stack.url, owner.accessToken, 'POST', '/api/conversations', {
      type: 'group',
      name: 'Pitch',
      memberIds: [member.user.id],
    });
    await Promise.all([a.goto(`/conversations/${group.id}`), b.goto(`/conversations/${group.id}`)]);
    await a.getByRole('button', { name: 'Members (2)' }).click();
    const panel = a.getByRole('complementary', { name: 'Members' });

    // Rename: Bea's header follows.
    await panel.getByLabel('Group name').fill('Pitch deck v2');
    await panel.getByRole('button', { name: 'Rename' }).click();
    await b.getByRole('heading', { name: 'Pitch deck v2' }).waitFor();

    // Add Cy, found by name among the people Ada shares an organization with.
    await panel.getByLabel('Add people').fill('Cy');
    await panel.getByRole('button', { name: 'Add Cy Twombly' }).click();
    await b.getByRole('button', { name: 'Members (3)' }).waitFor();
    expect((await conversations(cy)).some((c) => c.id === group.id)).toBe(true);
    await screenshot(a, 'messages-05-members-ada');

    // Remove Cy.
    await panel.getByRole('button', { name: 'Remove Cy Twombly' }).click();
    await b.getByRole('button', { name: 'Members (2)' }).waitFor();
    expect((await conversations(cy)).some((c) => c.id === group.id)).toBe(false);

    // Bea (not an admin) may not add or remove, but leaves; Ada sees her go.
    await b.getByRole('button', { name: 'Members (2)' }).click();
    const beaPanel = b.getByRole('complementary', { name: 'Members' });
    await beaPanel.getByText("Only the group's admins add or remove people.").waitFor();
    expect(await beaPanel.getByRole('button', { name: /^Remove / }).count()).toBe(0);
    b.once('dialog', (dialog) => void dialog.accept());
    await beaPanel.getByRole('button', { name: 'Leave group' }).click();
    await b.waitForURL(/\/conversations$/);
    await a.getByRole('button', { name: 'Members (1)' }).waitFor();
    await expect.poll(() => b.locator(`a[href="/conversations/${group.id}"]`).count()).toBe(0);
    await screenshot(a, 'messages-06-after-leave-ada');

    // On a phone the conversation's actions stay on screen and a panel covers the conversation.
    await a.setViewportSize({ width: 390, height: 844 });
    await a.reload();
    await a.getByRole('button', { name: 'Archive' }).waitFor();
    expect(await a.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    for (const name of ['Pinned', 'Members (1)', 'Mute', 'Archive']) {
      const box = await a.getByRole('button', { name, exact: true }).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390, name).toBe(true);
    }
    await a.getByRole('button', { name: 'Members (1)' }).click();
    await panel.getByRole('button', { name: 'Close' }).waitFor();
    expect(await a.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(a, 'messages-07-members-phone-ada');
    await panel.getByRole('button', { name: 'Close' }).click();
    await screenshot(a, 'messages-08-conversation-phone-ada');
    await a.setViewportSize({ width: 1280, height: 800 });
    expect(ada.errors).toEqual([]);
    expect(bea.errors).toEqual([]);
  }, 90_000);
});
