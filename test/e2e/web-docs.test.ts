import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, launchBrowser, openTab, screenshot, signInInBrowser, signUpViaApi, type Tab } from './browser.js';
import { httpClient } from '../support/http.js';
import { inviteAndAccept } from '../support/invitations.js';
import { startStack, type Stack } from './stack.js';

/** The document text as shown (one line per block), without the remote carets drawn inside the text. */
const editorText = (page: Page) =>
  page.locator('.ProseMirror').evaluate((content) => {
    const copy = content.cloneNode(true) as HTMLElement;
    for (const el of copy.querySelectorAll('.collaboration-carets__caret, .ProseMirror-trailingBreak')) el.remove();
    return Array.from(copy.children, (block) => block.textContent ?? '').join('\n');
  });

describe('web: documents edited together', () => {
  let stack: Stack;
  let browser: Browser;
  let ada: Tab;
  let bea: Tab;
  let gus: Tab;
  let projectId: string;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    const [owner, member, guest] = await Promise.all(['Ada Lovelace', 'Bea Curie', 'Gus Guest'].map((n) => signUpViaApi(stack.url, n)));
    const org = await apiCall<{ id: string }>(stack.url, owner!.accessToken, 'POST', '/api/organizations', { name: 'Acme Studio' });
    await inviteAndAccept(httpClient(stack.url), owner!, org.id, member!, 'member');
    await inviteAndAccept(httpClient(stack.url), owner!, org.id, guest!, 'guest');
    projectId = (
      await apiCall<{ id: string }>(stack.url, owner!.accessToken, 'POST', `/api/organizations/${org.id}/projects`, {
        name: 'Spring Launch',
      })
    ).id;
    [ada, bea, gus] = await Promise.all([openTab(browser, stack.url), openTab(browser, stack.url), openTab(browser, stack.url)]);
    await Promise.all([
      signInInBrowser(ada.page, owner!.email),
      signInInBrowser(bea.page, member!.email),
      signInInBrowser(gus.page, guest!.email),
    ]);
  }, 120_000);
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    for (const [name, tab] of [
      ['ada', ada],
      ['bea', bea],
      ['gus', gus],
    ] as const) {
      await screenshot(tab.page, `failed-docs-${name}`).catch(() => undefined);
      console.log(name, 'errors', tab.errors);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('two people co-edit and see each other’s text and cursor; versions save and restore; a guest cannot edit', async () => {
    const a = ada.page;
    const b = bea.page;
    const g = gus.page;

    await a.goto(`/projects/${projectId}`);
    await a.getByLabel('New document title').fill('Launch brief');
    await a.getByRole('button', { name: 'Create document' }).click();
    await a.getByRole('heading', { name: 'Launch brief' }).waitFor();
    await a.getByTestId('connection').getByText('Live').waitFor();
    const documentPath = new URL(a.url()).pathname;
    await expect.poll(() => a.title()).toBe('Launch brief · FluxStudio');
    await a.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Launch brief' }).waitFor();

    await b.goto(`/projects/${projectId}`);
    await b.getByRole('main').getByRole('link', { name: 'Launch brief' }).click();
    await b.getByTestId('connection').getByText('Live').waitFor();

    // Ada writes; Bea sees it. Bea writes; Ada sees it.
    await a.locator('.ProseMirror').click();
    await a.keyboard.type('Hello from Ada.');
    await expect.poll(() => editorText(b)).toContain('Hello from Ada.');
    await b.locator('.ProseMirror').click();
    await b.keyboard.press('End');
    await b.keyboard.type(' Bea was here.');
    await expect.poll(() => editorText(a)).toContain('Hello from Ada. Bea was here.');

    // Each sees the other in the document and their cursor labelled with their name.
    await a.getByRole('list', { name: 'People in this document' }).getByText('Bea Curie').waitFor();
    await b.getByRole('list', { name: 'People in this document' }).getByText('Ada Lovelace').waitFor();
    await expect.poll(() => a.locator('.collaboration-carets__caret').count()).toBeGreaterThan(0);
    expect(await a.locator('.collaboration-carets__label').first().textContent()).toBe('Bea Curie');
    await screenshot(a, '09-document-ada');

    // A named version, more edits, then restore: both editors go back to the saved text.
    await a.getByLabel('Version name').fill('First draft');
    await a.getByRole('button', { name: 'Save version' }).click();
    await a.getByRole('list').getByText('First draft').waitFor();
    await a.locator('.ProseMirror').click();
    await a.keyboard.press('Control+End');
    await a.keyboard.type(' Scrap this line.');
    await expect.poll(() => editorText(b)).toContain('Scrap this line.');
    a.once('dialog', (dialog) => void dialog.accept());
    await a.locator('.version', { hasText: 'First draft' }).getByRole('button', { name: 'Restore' }).click();
    await a.getByText('Restored “First draft”.').waitFor();
    await expect.poll(() => editorText(a)).toBe('Hello from Ada. Bea was here.');
    await expect.poll(() => editorText(b)).toBe('Hello from Ada. Bea was here.');

    // The guest reads live changes but cannot type.
    await g.goto(documentPath);
    await g.getByText('Read only').waitFor();
    await g.getByTestId('connection').getByText('Live').waitFor();
    await expect.poll(() => editorText(g)).toBe('Hello from Ada. Bea was here.');
    expect(await g.locator('.ProseMirror').getAttribute('contenteditable')).toBe('false');
    await g.locator('.ProseMirror').click();
    await g.keyboard.type('guest scribble');
    expect(await g.getByLabel('Version name').count()).toBe(0);
    await a.locator('.ProseMirror').click();
    await a.keyboard.press('Control+End');
    await a.keyboard.type(' Final.');
    await expect.poll(() => editorText(g)).toBe('Hello from Ada. Bea was here. Final.');
    expect(await editorText(a)).not.toContain('guest scribble');
    await screenshot(g, '10-document-guest');

    expect(ada.errors).toEqual([]);
    expect(bea.errors).toEqual([]);
    expect(gus.errors).toEqual([]);
  }, 90_000);
});
