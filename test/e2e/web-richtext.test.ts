import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { CollabDocument } from '@flux/shared';
import { CollabRoots } from '@flux/shared/constants';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { eventually } from '../support/eventually.js';
import { httpClient } from '../support/http.js';
import { inviteAndAccept } from '../support/invitations.js';
import { apiCall, launchBrowser, openTab, signInInBrowser, signUpViaApi, type Tab } from './browser.js';
import { startStack, type Stack } from './stack.js';

const shots = '/tmp/shots/richtext';
const shot = async (page: Page, name: string) => {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
};

/** A small real PNG (a two-colour stripe), so the files API sniffs an image. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Array.from({ length: height }, (_, y) =>
    Buffer.concat([Buffer.from([0]), ...Array.from({ length: width }, () => Buffer.from(y < height / 2 ? [91, 91, 214] : [48, 164, 108]))]),
  );
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** The text of each element `locator` matches, without the remote carets (and their name labels) drawn inside. */
const texts = (locator: Locator) =>
  locator.evaluateAll((elements) =>
    elements.map((element) => {
      const copy = element.cloneNode(true) as HTMLElement;
      for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
      return copy.textContent ?? '';
    }),
  );

describe('web: rich-text documents with comments', () => {
  let stack: Stack;
  let browser: Browser;
  let ada: Tab;
  let bea: Tab;
  let adaToken: string;
  let projectId: string;
  const providers: WebsocketProvider[] = [];

  /** The stock y-websocket client in Node, as the contract documents it. */
  const stockClient = async (documentId: string) => {
    const p = new WebsocketProvider(`${stack.url.replace('http', 'ws')}/collab`, documentId, new Y.Doc(), {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      params: { token: adaToken },
    });
    providers.push(p);
    await eventually(() => p.synced, { what: 'stock client synced', timeout: 15_000 });
    return p;
  };
  const createDocument = (title: string) => apiCall<CollabDocument>(stack.url, adaToken, 'POST', '/api/documents', { projectId, title });

  beforeAll(async () => {
    // Rooms unload soon after their last client leaves, so a legacy document is loaded (and migrated) afresh.
    [stack, browser] = await Promise.all([startStack({ COLLAB_ROOM_UNLOAD_DELAY_MS: '200' }), launchBrowser()]);
    const [owner, member] = await Promise.all(['Ada Lovelace', 'Bea Curie'].map((n) => signUpViaApi(stack.url, n)));
    adaToken = owner!.accessToken;
    const org = await apiCall<{ id: string }>(stack.url, adaToken, 'POST', '/api/organizations', { name: 'Acme Studio' });
    await inviteAndAccept(httpClient(stack.url), owner!, org.id, member!, 'member');
    projectId = (await apiCall<{ id: string }>(stack.url, adaToken, 'POST', `/api/organizations/${org.id}/projects`, { name: 'Spring' }))
      .id;
    [ada, bea] = await Promise.all([openTab(browser, stack.url), openTab(browser, stack.url)]);
    await Promise.all([signInInBrowser(ada.page, owner!.email), signInInBrowser(bea.page, member!.email)]);
  }, 120_000);
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    const name = context.task.name.slice(0, 20).replace(/\W+/g, '-');
    await shot(ada.page, `failed-${name}-ada`).catch(() => undefined);
    await shot(bea.page, `failed-${name}-bea`).catch(() => undefined);
    console.log('ada errors', ada.errors, 'bea errors', bea.errors);
  });
  afterAll(async () => {
    for (const p of providers) {
      p.destroy();
      p.doc.destroy();
    }
    await browser?.close();
    await stack?.stop();
  });

  it('a plain-text document written the old way opens in the rich-text editor without loss', async () => {
    const legacy = await createDocument('Old notes');
    const old = await stockClient(legacy.id);
    old.doc.getText(CollabRoots.legacyText).insert(0, 'Call list\n\nPhotographer: Tuesday');
    await eventually(async () => (await httpClient(stack.url).get<{ activeRooms: number }>('/collab/health')).body.activeRooms > 0);
    old.destroy();
    // The room unloads (flushed), so the browser's visit loads it afresh and migrates it.
    await eventually(async () => (await httpClient(stack.url).get<{ activeRooms: number }>('/collab/health')).body.activeRooms === 0, {
      what: 'room unloaded',
      timeout: 15_000,
    });

    const a = ada.page;
    await a.goto(`/documents/${legacy.id}`);
    const paragraphs = a.locator('.ProseMirror > p');
    await expect.poll(() => texts(paragraphs), { timeout: 15_000 }).toEqual(['Call list', '', 'Photographer: Tuesday']);
  });

  it('two people format, upload an image, see each other and comment live: thread, reply, resolve', async () => {
    const doc = await createDocument('Launch brief');
    const a = ada.page;
    const b = bea.page;
    await Promise.all([a.goto(`/documents/${doc.id}`), b.goto(`/documents/${doc.id}`)]);
    await a.getByTestId('connection').getByText('Live').waitFor();
    await b.getByTestId('connection').getByText('Live').waitFor();
    const editorA = a.locator('.ProseMirror');
    const editorB = b.locator('.ProseMirror');
    const tool = (page: Page, name: string) => page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name, exact: true });

    // Heading, a paragraph with bold and a link, a bulleted list, a checklist.
    await editorA.click();
    await tool(a, 'Heading 1').click();
    await a.keyboard.type('Spring launch');
    await a.keyboard.press('Enter');
    await a.keyboard.type('The shoot is on ');
    await tool(a, 'Bold').click();
    await a.keyboard.type('Tuesday');
    await tool(a, 'Bold').click();
    await a.keyboard.type(' at the studio.');
    await a.keyboard.press('Enter');
    a.once('dialog', (dialog) => void dialog.accept('https://example.com/brief'));
    await a.keyboard.type('Brief');
    await a.keyboard.press('Shift+Home');
    await tool(a, 'Link').click();
    await a.keyboard.press('End');
    await a.keyboard.press('Enter');
    await tool(a, 'Bulleted list').click();
    await a.keyboard.type('Lights');
    await a.keyboard.press('Enter');
    await a.keyboard.type('Backdrop');
    await a.keyboard.press('Enter');
    await a.keyboard.press('Enter'); // leaves the list
    await tool(a, 'Checklist').click();
    await a.keyboard.type('Book the van');
    await a.keyboard.press('Enter');
    await a.keyboard.press('Enter');
    // An image uploaded through the files API, then a table.
    await a.getByTestId('image-input').setInputFiles({ name: 'moodboard.png', mimeType: 'image/png', buffer: png(120, 60) });
    await editorA.locator('img.doc-image').waitFor();
    await tool(a, 'Insert table').click();
    // The editor takes the focus back and puts the caret in the first header cell a moment after the
    // click: typing before that lost the first letter.
    await expect
      .poll(() =>
        a.evaluate(() => {
          const caret = document.getSelection()?.anchorNode;
          const at = caret instanceof Element ? caret : caret?.parentElement;
          return Boolean(document.activeElement?.closest('.ProseMirror') && at?.closest('th'));
        }),
      )
      .toBe(true);
    await a.keyboard.type('Item');
    await a.keyboard.press('Tab');
    await a.keyboard.type('Owner');
    await expect.poll(() => tool(a, 'Add row').count()).toBe(1);

    // Bea sees all of it, the image included (fetched with her own token: she reads the document).
    await editorB.locator('h1', { hasText: 'Spring launch' }).waitFor();
    await editorB.locator('strong', { hasText: 'Tuesday' }).waitFor();
    expect(await editorB.locator('a', { hasText: 'Brief' }).getAttribute('href')).toBe('https://example.com/brief');
    expect(await texts(editorB.locator('ul:not([data-type]) > li'))).toEqual(['Lights', 'Backdrop']);
    await editorB.locator('ul[data-type="taskList"] li', { hasText: 'Book the van' }).waitFor();
    await expect.poll(() => texts(editorB.locator('table th'))).toEqual(['Item', 'Owner', '']);
    const image = editorB.locator('img.doc-image');
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 15_000 }).toBe(120);
    expect(await image.getAttribute('src')).toMatch(/^blob:/);

    // Bea ticks the checkbox; Ada sees it checked.
    await editorB.locator('ul[data-type="taskList"] li input[type="checkbox"]').check();
    await editorA.locator('ul[data-type="taskList"] li[data-checked="true"]').waitFor();

    // Each sees the other's caret, labelled with their name.
    await editorB.locator('h1').click();
    await expect.poll(() => a.locator('.collaboration-carets__label').allTextContents()).toContain('Bea Curie');
    await editorA.locator('p', { hasText: 'The shoot' }).click();
    await expect.poll(() => b.locator('.collaboration-carets__label').allTextContents()).toContain('Ada Lovelace');
    await shot(a, '01-formatted-ada');
    await shot(b, '02-formatted-bea');

    // A stock y-websocket client reads the same content from the documented Yjs type.
    const stock = await stockClient(doc.id);
    const fragment = stock.doc.getXmlFragment(CollabRoots.content);
    await eventually(() => fragment.toString().includes('moodboard.png'), { what: 'stock client sees the image' });
    expect(fragment.toString()).toContain('<heading level="1">Spring launch</heading>');
    expect(fragment.toString()).toMatch(/<table>.*Owner.*<\/table>/);

    // Ada comments on "Tuesday"; Bea sees the thread and its highlight without reloading.
    await editorA.locator('strong', { hasText: 'Tuesday' }).dblclick();
    await a.getByRole('button', { name: 'Comment on the selection' }).click();
    const draft = a.getByRole('form', { name: 'New comment' });
    await draft.getByLabel('Comment').fill('Which Tuesday — the 14th?');
    await draft.getByRole('button', { name: 'Comment' }).click();
    const threadB = b.locator('.comment-thread', { hasText: 'Which Tuesday — the 14th?' });
    await threadB.waitFor();
    expect(await threadB.locator('.comment-quote').textContent()).toBe('Tuesday');
    await expect.poll(() => editorB.locator('.comment-highlight').allTextContents()).toEqual(['Tuesday']);

    // Bea replies; Ada sees the reply live. Ada resolves; Bea sees it folded away and the highlight gone.
    await threadB.getByLabel('Reply').fill('Yes, the 14th at 9.');
    await threadB.getByRole('button', { name: 'Reply' }).click();
    const threadA = a.locator('.comment-thread', { hasText: 'Which Tuesday' });
    await threadA.getByText('Yes, the 14th at 9.').waitFor();
    await shot(b, '03-comment-thread-bea');
    await threadA.getByRole('button', { name: 'Resolve' }).click();
    await b.getByText('Resolved (1)').waitFor();
    await expect.poll(() => editorB.locator('.comment-highlight').count()).toBe(0);
    await b.getByText('Resolved (1)').click();
    await b
      .locator('.resolved-threads .comment-thread', { hasText: 'Yes, the 14th at 9.' })
      .getByRole('button', { name: 'Reopen' })
      .waitFor();
    await shot(b, '04-resolved-bea');

    // Stored: a fresh load shows the same thread, resolved.
    await a.reload();
    await a.getByText('Resolved (1)').waitFor();
    // The same screen in dark mode and on a phone, where the comments follow the editor.
    await b.emulateMedia({ colorScheme: 'dark' });
    await shot(b, '05-dark-bea');
    await b.setViewportSize({ width: 390, height: 844 });
    // Once the layout settles (the navigation drawer slid away), the editor spans the phone's width.
    await expect.poll(() => b.locator('.sidebar').evaluate((el) => Math.round(el.getBoundingClientRect().right))).toBeLessThanOrEqual(0);
    await expect.poll(() => b.locator('.editor-frame').evaluate((el) => Math.round(el.getBoundingClientRect().left))).toBeLessThan(40);
    await shot(b, '06-phone-dark-bea');

    expect(ada.errors).toEqual([]);
    expect(bea.errors).toEqual([]);
  }, 120_000);
});
