import { mkdirSync, readFileSync } from 'node:fs';
import type { Conversation, FileInfo, NotificationPreferences, Person } from '@flux/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { eventually } from '../support/eventually.js';
import { httpClient } from '../support/http.js';
import { inviteAndAccept } from '../support/invitations.js';
import { apiCall, launchBrowser, openTab, PASSWORD, signInInBrowser, signUpViaApi } from './browser.js';
import { startStack, type Stack } from './stack.js';

const SHOTS = '/tmp/shots/people';
const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

/** Every entry of a zip, name → bytes. */
function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (error, stream) => {
          if (error || !stream) return reject(error);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** A real PNG drawn by Chromium: wider than tall, so the server's square crop has work to do. */
const drawPng = async (page: Page) =>
  Buffer.from(
    (
      await page.evaluate(() => {
        const canvas = document.createElement('canvas');
        canvas.width = 600;
        canvas.height = 300;
        const g = canvas.getContext('2d');
        if (!g) throw new Error('no 2d context');
        g.fillStyle = '#c2185b';
        g.fillRect(0, 0, 600, 300);
        g.fillStyle = '#ffd54f';
        g.beginPath();
        g.arc(300, 150, 110, 0, 7);
        g.fill();
        return canvas.toDataURL('image/png');
      })
    ).split(',')[1] ?? '',
    'base64',
  );

/** "Confirm it's you": the password again, when the server asks for a fresh re-authentication. */
async function confirmPassword(page: Page) {
  await page.getByRole('heading', { name: 'Confirm it’s you' }).waitFor();
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Confirm' }).click();
}

describe('web: people, profile, avatar, notification preferences, export and account deletion', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [stack, browser] = await Promise.all([
      // Deleted accounts are erased at the next purge (every second here) instead of after 30 days.
      // Its own Redis prefix: the purge scheduler of this stack's auth is not shared with other stacks.
      startStack({
        AUTH_ACCOUNT_DELETION_GRACE_SECONDS: '0',
        AUTH_PURGE_EVERY_SECONDS: '1',
        REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'flux-test:'}people-e2e:`,
      }),
      launchBrowser(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('finds a colleague, edits the name and avatar, sets preferences, exports a zip, deletes the account', async () => {
    const http = httpClient(stack.url);
    const ada = await signUpViaApi(stack.url, 'Ada Lovelace');
    const bea = await signUpViaApi(stack.url, 'Bea Curie');
    const org = await apiCall<{ id: string }>(stack.url, ada.accessToken, 'POST', '/api/organizations', { name: 'Acme Studio' });
    await inviteAndAccept(http, ada, org.id, bea, 'member');
    // Bea's things to take away: a message to Ada, an uploaded file, a document.
    const direct = await apiCall<Conversation>(stack.url, bea.accessToken, 'POST', '/api/conversations', {
      type: 'direct',
      memberIds: [ada.user.id],
    });
    await apiCall(stack.url, bea.accessToken, 'POST', `/api/conversations/${direct.id}/messages`, {
      content: 'Moodboard is in the shared folder',
      clientId: crypto.randomUUID(),
    });
    const form = new FormData();
    form.append('file', new Blob(['brief: spring launch, three posters']), 'brief.txt');
    const file = (await http.as(bea).post<FileInfo>('/api/files', undefined, { form })).body;
    const project = await apiCall<{ id: string }>(stack.url, ada.accessToken, 'POST', `/api/organizations/${org.id}/projects`, {
      name: 'Spring Launch',
    });
    const doc = await apiCall<{ id: string }>(stack.url, bea.accessToken, 'POST', '/api/documents', {
      projectId: project.id,
      title: 'Poster copy',
    });

    const adaTab = await openTab(browser, stack.url);
    const beaTab = await openTab(browser, stack.url);
    await Promise.all([signInInBrowser(adaTab.page, ada.email), signInInBrowser(beaTab.page, bea.email)]);
    const a = adaTab.page;
    const b = beaTab.page;

    // Bea renames herself and uploads a picture on her account page.
    await b.goto('/account');
    const profile = b.getByRole('region', { name: 'Profile' });
    await profile.getByLabel('Name').fill('Beatrice Curie');
    await profile.getByRole('button', { name: 'Save name' }).click();
    await profile.getByText('Name saved.').waitFor();
    await b.getByRole('banner').getByText('Beatrice Curie').waitFor();
    await profile.getByLabel('Profile picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await drawPng(b) });
    await profile.locator('img.people-avatar[data-avatar-loaded]').waitFor();
    await profile.getByRole('button', { name: 'Remove picture' }).waitFor();
    // The header's account link shows it too.
    await b.getByRole('banner').locator('img.people-avatar[data-avatar-loaded]').waitFor();
    // A file that is not an image is refused in words.
    await profile
      .getByLabel('Profile picture')
      .setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('plain text') });
    await profile.getByText(/not an image we can read/).waitFor();
    await shot(b, '01-account-profile');

    // Ada finds her in the directory, by the new name, with her picture (served cacheable for good).
    // The list fetches her picture once; the card shows the same object URL.
    const avatarAnswer = a.waitForResponse((response) => /\/api\/users\/[0-9a-f-]+\/avatar\?v=\d+$/.test(response.url()));
    await a.goto('/people');
    await a.getByLabel('Search people').fill('Beatr');
    const people = a.getByRole('list', { name: 'People' });
    await people.getByRole('link', { name: 'Beatrice Curie' }).waitFor();
    // Once the search settles only she is listed (Ada herself no longer matches).
    await eventually(async () => (await people.getByRole('link').count()) === 1, { what: 'the search narrowed to Beatrice' });
    await people.getByRole('link', { name: 'Beatrice Curie' }).click();
    await a.waitForURL(`**/people/${bea.user.id}`);
    const card = a.getByRole('article', { name: 'Beatrice Curie' });
    await card.locator('img.people-avatar[data-avatar-loaded]').waitFor();
    const served = await avatarAnswer;
    expect(served.status()).toBe(200);
    expect(served.headers()['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(served.headers()['content-type']).toBe('image/webp');
    await shot(a, '02-people-profile-card');
    await a.getByLabel('Search people').fill('nobody like that');
    await a.getByText('No one named “nobody like that” shares an organization with you.').waitFor();

    // Bea's notification preferences: no direct-message notifications, a daily digest.
    const notifications = b.getByRole('region', { name: 'Notifications' });
    await notifications.getByLabel('For direct messages').uncheck();
    await notifications.getByText('Preferences saved.').waitFor();
    await notifications.getByLabel('Email digest of unread notifications').selectOption('daily');
    await eventually(
      async () => {
        const saved = (await http.as(bea).get<NotificationPreferences>('/api/notifications/preferences')).body;
        return saved.emailDigest === 'daily' && saved.directMessages === false && saved.mentions;
      },
      { what: 'the preferences saved' },
    );
    await b.reload();
    expect(await b.getByLabel('For direct messages').isChecked()).toBe(false);
    expect(await b.getByLabel('Email digest of unread notifications').inputValue()).toBe('daily');

    // The export asks for the password, then downloads one zip with everything of hers.
    const data = b.getByRole('region', { name: 'Your data' });
    await data.getByRole('button', { name: 'Export my data' }).click();
    const downloading = b.waitForEvent('download');
    await confirmPassword(b);
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^fluxstudio-export-\d{4}-\d{2}-\d{2}\.zip$/);
    const entries = await unzip(readFileSync((await download.path()) ?? ''));
    await data.getByText('Your export was downloaded.').waitFor();
    expect([...entries.keys()].sort()).toEqual(
      [
        'account.json',
        'avatar.webp',
        'documents.json',
        `documents/Poster copy-${doc.id}.txt`,
        'files.json',
        `files/${file.id}-brief.txt`,
        'messages.json',
      ].sort(),
    );
    expect(JSON.parse(entries.get('account.json')?.toString() ?? '')).toMatchObject({
      id: bea.user.id,
      name: 'Beatrice Curie',
      email: bea.email,
      organizations: [{ id: org.id, name: 'Acme Studio', role: 'member' }],
    });
    expect(JSON.parse(entries.get('messages.json')?.toString() ?? '')).toEqual([
      expect.objectContaining({ conversationId: direct.id, content: 'Moodboard is in the shared folder' }),
    ]);
    expect(JSON.parse(entries.get('documents.json')?.toString() ?? '')).toEqual([
      expect.objectContaining({ id: doc.id, title: 'Poster copy', projectId: project.id }),
    ]);
    expect(entries.get(`files/${file.id}-brief.txt`)?.toString()).toBe('brief: spring launch, three posters');
    expect(entries.get('avatar.webp')?.subarray(8, 12).toString()).toBe('WEBP');
    await shot(b, '03-account-data');

    // Deleting the account from a new sign-in asks for the password again, signs out and says until when it can be undone.
    const again = await openTab(browser, stack.url);
    await signInInBrowser(again.page, bea.email);
    const c = again.page;
    await c.goto('/account');
    const danger = c.getByRole('region', { name: 'Your data' });
    await danger.getByLabel('I understand, delete my account').check();
    await danger.getByRole('button', { name: 'Delete my account' }).click();
    await confirmPassword(c);
    await c.waitForURL(/\/signin\?deleted=/);
    await c.getByText(/Your account is scheduled for deletion on/).waitFor();
    await shot(c, '04-deleted-signin');

    // With no grace here, the purge erases her: colleagues no longer find her, and her message shows as from "Deleted user".
    await eventually(async () => (await http.as(ada).get<Person>(`/api/users/${bea.user.id}`)).status === 404, {
      what: 'Bea erased',
      timeout: 20_000,
    });
    await eventually(
      async () => {
        await a.goto(`/conversations/${direct.id}`);
        const item = a.getByTestId('message').filter({ hasText: 'Moodboard is in the shared folder' });
        await item.waitFor();
        return (await item.textContent())?.includes('Deleted user');
      },
      { what: 'the message shown as from Deleted user', timeout: 20_000, interval: 500 },
    );
    await shot(a, '05-deleted-user-message');
    await a.goto('/people');
    await a.getByLabel('Search people').fill('Beatr');
    await a.getByText('No one named “Beatr” shares an organization with you.').waitFor();
    // Signing in is over for the erased account.
    expect((await http.post('/api/auth/login', { email: bea.email, password: PASSWORD })).status).toBe(401);

    expect([...adaTab.errors, ...beaTab.errors, ...again.errors]).toEqual([]);
  }, 180_000);
});
