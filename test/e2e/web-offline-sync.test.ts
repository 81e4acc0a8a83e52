import { randomUUID } from 'node:crypto';
import type { Conversation, Message } from '@flux/shared';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../support/http.js';
import { inviteAndAccept } from '../support/invitations.js';
import { apiCall, launchBrowser, openTab, screenshot, signInInBrowser, signUpViaApi, type Tab } from './browser.js';
import { startStack, type Stack } from './stack.js';

const AWAY = 1_500;

/**
 * Chromium's offline emulation blocks new connections but leaves an open WebSocket alone, so the
 * page records its sockets and the test closes them while offline: the client stays disconnected
 * (its reconnects fail) until the network is back.
 */
const recordSockets = () => {
  const Native = window.WebSocket;
  const sockets: WebSocket[] = [];
  (window as unknown as { __sockets: WebSocket[] }).__sockets = sockets;
  window.WebSocket = class extends Native {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets.push(this);
    }
  };
};

describe('web: a client that was away catches up', () => {
  let stack: Stack;
  let browser: Browser;
  let ada: Tab;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack({ MESSAGE_RATE_LIMIT: '100000', EDIT_RATE_LIMIT: '1000' }), launchBrowser()]);
    ada = await openTab(browser, stack.url);
  }, 120_000);
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    await screenshot(ada.page, 'failed-offline-sync').catch(() => undefined);
    console.log('ada errors', ada.errors);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it(`shows the ${AWAY} messages sent while it was offline and the edits and deletions of earlier ones`, async () => {
    const owner = await signUpViaApi(stack.url, 'Ada Lovelace');
    const bea = await signUpViaApi(stack.url, 'Bea Curie');
    const org = await apiCall<{ id: string }>(stack.url, owner.accessToken, 'POST', '/api/organizations', { name: 'Away Studio' });
    await inviteAndAccept(httpClient(stack.url), owner, org.id, bea, 'member');
    const asBea = httpClient(stack.url, { token: bea.accessToken });
    const chat = await asBea.post<Conversation>('/api/conversations', { type: 'direct', memberIds: [owner.user.id] });
    expect(chat.status).toBe(201);
    const send = async (content: string) => {
      const answer = await asBea.post<Message>(`/api/conversations/${chat.body.id}/messages`, { content, clientId: randomUUID() });
      expect(answer.status).toBe(201);
      return answer.body;
    };
    const early = [];
    for (let i = 1; i <= 5; i++) early.push(await send(`early ${i}`));

    const page = ada.page;
    await page.addInitScript(recordSockets);
    await signInInBrowser(page, owner.email);
    await page.goto(`/conversations/${chat.body.id}`);
    const messages = page.getByTestId('messages');
    await messages.getByText('early 5').waitFor();

    await ada.context.setOffline(true);
    await page.evaluate(() => {
      for (const socket of (window as unknown as { __sockets: WebSocket[] }).__sockets) socket.close();
    });
    await expect
      .poll(() =>
        page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.every((s) => s.readyState === WebSocket.CLOSED)),
      )
      .toBe(true);

    // While Ada is away: 1,500 messages, an earlier one edited and another deleted.
    for (let from = 1; from <= AWAY; from += 50)
      await Promise.all(Array.from({ length: 50 }, (_, i) => send(`away ${String(from + i).padStart(4, '0')}`)));
    expect((await asBea.patch(`/api/messages/${early[1]?.id}`, { content: 'early 2, edited while away' })).status).toBe(200);
    expect((await asBea.delete(`/api/messages/${early[2]?.id}`)).status).toBe(204);

    await ada.context.setOffline(false);
    await messages.getByText(`away ${AWAY}`).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('message').count(), { timeout: 30_000 }).toBe(5 + AWAY);
    await messages.getByText('early 2, edited while away').waitFor();
    await page.getByTestId('message').filter({ hasText: 'This message was deleted.' }).waitFor();
    expect(await messages.getByText('early 3').count()).toBe(0);
    expect(await messages.getByText('away 0750').count()).toBe(1);
  }, 180_000);
});
