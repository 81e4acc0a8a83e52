import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, launchBrowser, signInInBrowser, signUpViaApi, type Tab } from './browser.js';
import { startStack, type Stack } from './stack.js';
import { buildScene, desktop, openDeviceTab, phone, type Scene } from './web-scene.js';

const shots = '/tmp/shots/polish';
const shoot = (page: Page, name: string) => page.screenshot({ path: `${shots}/${name}.png` });

/** Relative luminance (WCAG) of a computed `rgb(r, g, b)` colour: 0 black, 1 white. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
const background = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((element) => getComputedStyle(element).backgroundColor);

describe('web: polish (phone layout, dark mode, quick switcher, empty states, error boundary, skeletons)', () => {
  let stack: Stack;
  let browser: Browser;
  let scene: Scene;
  const tabs: Tab[] = [];
  const open = async (options: Parameters<typeof openDeviceTab>[2]) => {
    const tab = await openDeviceTab(browser, stack.url, options);
    tabs.push(tab);
    await signInInBrowser(tab.page, scene.owner.email);
    return tab;
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    scene = await buildScene(stack.url, 'Ada Polish');
  }, 120_000);
  afterAll(async () => {
    for (const tab of tabs) if (tab.errors.length) console.log('browser errors', tab.errors);
    await browser?.close();
    await stack?.stop();
  });

  it('on a phone the navigation is a drawer, and an open conversation or document fills the screen', async () => {
    const { page, errors } = await open(phone);
    const nav = page.getByRole('navigation', { name: 'Workspace' });
    await page.getByRole('heading', { name: 'Northwind Studio', level: 1 }).waitFor();
    // The screen starts at the top: no sidebar stacked above it.
    expect(await nav.isVisible()).toBe(false);
    expect((await page.getByRole('heading', { name: 'Northwind Studio', level: 1 }).boundingBox())!.y).toBeLessThan(250);

    const menu = page.getByRole('button', { name: 'Open navigation' });
    await menu.click();
    await nav.waitFor();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(async () => (await nav.boundingBox())?.x).toBe(0);
    // The page behind the open drawer takes no focus or clicks.
    expect(await page.locator('#main').evaluate((main: HTMLElement) => main.inert)).toBe(true);
    await shoot(page, 'phone-drawer');
    // Escape closes it and gives the focus back to the menu button.
    await page.keyboard.press('Escape');
    await nav.waitFor({ state: 'hidden' });
    expect(await menu.evaluate((element) => element === document.activeElement)).toBe(true);

    // Following a link in the drawer opens the conversation and closes the drawer.
    await menu.click();
    await nav.getByRole('link', { name: 'Spring Campaign' }).last().click();
    await page.waitForURL(`**/conversations/${scene.conversationId}`);
    await nav.waitFor({ state: 'hidden' });
    await page.getByTestId('messages').getByText('Kick-off at ten').waitFor();
    const composer = (await page.getByRole('textbox', { name: 'Message' }).boundingBox())!;
    expect(composer.y + composer.height).toBeLessThanOrEqual(844);
    const messages = (await page.getByTestId('messages').boundingBox())!;
    expect(messages.x).toBeLessThan(10);
    expect(messages.width).toBeGreaterThan(370);
    expect(await page.getByRole('region', { name: 'Conversations' }).isVisible()).toBe(false);
    await shoot(page, 'phone-conversation');

    // Back to the conversation list alone, in one tap.
    await page.getByRole('link', { name: 'All conversations' }).click();
    await page.waitForURL(/\/conversations$/);
    expect(await page.locator('#main').evaluate((main: HTMLElement) => main.inert)).toBe(false);
    await page
      .getByRole('region', { name: 'Conversations' })
      .getByRole('link', { name: /Spring Campaign/ })
      .waitFor();

    // A document: the editor spans the width, right under the header.
    await page.goto(`/documents/${scene.documentId}`);
    await page.getByRole('heading', { name: 'Launch brief' }).waitFor();
    const editor = page.locator('.editor-frame');
    await editor.waitFor();
    const box = (await editor.boundingBox())!;
    expect(box.x).toBeLessThan(24);
    expect(box.width).toBeGreaterThan(340);
    expect(box.y).toBeLessThan(844 / 2);
    await shoot(page, 'phone-document');
    expect(errors).toEqual([]);
  });

  it('follows the system’s dark mode with dark backgrounds and light text', async () => {
    const light = await open({ ...desktop, colorScheme: 'light' });
    const dark = await open({ ...desktop, colorScheme: 'dark' });
    for (const { page } of [light, dark]) await page.goto(`/conversations/${scene.conversationId}`);
    for (const { page } of [light, dark]) await page.getByTestId('messages').getByText('Kick-off at ten').waitFor();

    expect(luminance(await background(light.page, 'html'))).toBeGreaterThan(0.8);
    expect(luminance(await background(dark.page, 'html'))).toBeLessThan(0.05);
    for (const surface of ['.topbar', '.sidebar', '.conversation-view']) {
      expect(luminance(await background(dark.page, surface)), surface).toBeLessThan(0.05);
    }
    const text = await dark.page.locator('.topbar .brand').evaluate((element) => getComputedStyle(element).color);
    expect(luminance(text)).toBeGreaterThan(0.7);
    await shoot(dark.page, 'dark-conversation');
    await dark.page.goto(`/projects/${scene.projectId}`);
    await dark.page.getByRole('heading', { name: 'Spring Campaign', level: 1 }).waitFor();
    await shoot(dark.page, 'dark-project');
    await dark.page.goto(`/documents/${scene.documentId}`);
    await dark.page.getByTestId('connection').getByText('Live').waitFor();
    expect(luminance(await background(dark.page, '.editor-frame'))).toBeLessThan(0.05);
    await shoot(dark.page, 'dark-document');

    // Signed out too: the sign-in card.
    const guest = await openDeviceTab(browser, stack.url, { ...phone, colorScheme: 'dark' });
    tabs.push(guest);
    await guest.page.goto('/signin');
    await guest.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(luminance(await background(guest.page, '.auth-card'))).toBeLessThan(0.05);
    await shoot(guest.page, 'dark-signin-phone');
    expect([...light.errors, ...dark.errors, ...guest.errors]).toEqual([]);
  });

  it('Ctrl-K opens a quick switcher over conversations, documents, projects, organizations and people: typing filters, arrows move, Enter opens; Escape closes', async () => {
    const { page, errors } = await open(desktop);
    await apiCall(stack.url, scene.owner.accessToken, 'POST', '/api/documents', { projectId: scene.projectId, title: 'Moodboard notes' });
    await page.getByRole('heading', { name: 'Northwind Studio', level: 1 }).waitFor();

    await page.keyboard.press('Control+k');
    const dialog = page.getByRole('dialog', { name: 'Quick switcher' });
    await dialog.waitFor();
    const input = dialog.getByRole('combobox', { name: 'Go to' });
    expect(await input.evaluate((element) => element === document.activeElement)).toBe(true);
    const options = dialog.getByRole('option');
    // Every kind is there before typing: conversations, documents, projects, organizations, people.
    for (const name of [
      'Conversation Spring Campaign',
      'Document Launch brief',
      'Document Moodboard notes',
      'Project Spring Campaign',
      'Organization Northwind Studio',
      'Person Bea Teammate',
    ]) {
      await dialog.getByRole('option', { name: new RegExp(`^${name}`) }).waitFor();
    }
    await shoot(page, 'switcher');

    await input.fill('brief');
    await expect.poll(() => options.count()).toBe(1);
    await dialog.getByRole('option', { name: /^Document Launch brief/ }).waitFor();
    expect(await options.first().getAttribute('aria-selected')).toBe('true');
    expect(await input.getAttribute('aria-activedescendant')).toBe(await options.first().getAttribute('id'));
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/documents/${scene.documentId}`);
    await dialog.waitFor({ state: 'hidden' });

    // A person opens their card.
    await page.keyboard.press('Control+k');
    await input.fill('bea');
    await dialog.getByRole('option', { name: /^Person Bea Teammate/ }).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/people/${scene.teammate.user.id}`);

    // Arrow keys move the active option; the topbar button opens it too; Escape closes.
    await page.getByRole('button', { name: 'Go to…' }).click();
    await input.fill('o');
    const second = await options.nth(1).textContent();
    await page.keyboard.press('ArrowDown');
    expect(await options.nth(1).getAttribute('aria-selected')).toBe('true');
    expect(second).toBeTruthy();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await input.waitFor({ state: 'detached' });

    await page.keyboard.press('Control+k');
    await input.fill('zzz-nothing');
    await dialog.getByText('Nothing matches').waitFor();
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
  });

  it('empty organizations, projects, a first visit and conversations say what to do', async () => {
    const { page, errors } = await open(desktop);
    const org = await apiCall<{ id: string }>(stack.url, scene.owner.accessToken, 'POST', '/api/organizations', { name: 'Fresh Studio' });
    await page.goto(`/orgs/${org.id}`);
    await page.getByRole('heading', { name: 'Fresh Studio', level: 1 }).waitFor();
    const projects = page.getByRole('region', { name: 'Projects' }).last();
    await projects.getByText('No projects yet').waitFor();
    await projects.getByText('Name the first one below and press Create project').waitFor();

    await page.getByLabel('New project name').fill('Empty Project');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Empty Project', level: 1 }).waitFor();
    await page.getByRole('main').getByText('No documents yet').waitFor();
    await page.getByText('give it a title below and press Create document').waitFor();
    await shoot(page, 'empty-project');
    expect(errors).toEqual([]);

    // Someone new: no organization yet, and no conversation.
    const newcomer = await openDeviceTab(browser, stack.url, desktop);
    tabs.push(newcomer);
    await signInInBrowser(newcomer.page, (await signUpViaApi(stack.url, 'Nia Newcomer')).email);
    await newcomer.page.getByRole('heading', { name: 'Welcome to FluxStudio' }).waitFor();
    await newcomer.page.getByText('Create an organization for your studio').waitFor();
    await newcomer.page.goto('/conversations');
    const list = newcomer.page.getByRole('region', { name: 'Conversations' });
    await list.getByText('No conversations yet').waitFor();
    await list.getByText('Press New to talk with people from your organization').waitFor();
    expect(newcomer.errors).toEqual([]);
  });

  it('a failing screen shows a recoverable message while the navigation keeps working', async () => {
    const { page, errors } = await open(desktop);
    // The project answers with a malformed body (its name an object): the screen cannot render it.
    const projectUrl = `**/api/projects/${scene.projectId}`;
    await page.route(projectUrl, (route) =>
      route.fulfill({ json: { id: scene.projectId, organizationId: scene.orgId, name: { malformed: true } } }),
    );
    await page.goto(`/projects/${scene.projectId}`);
    const alert = page.getByRole('alert').filter({ hasText: 'This screen ran into a problem' });
    await alert.waitFor();
    await shoot(page, 'error-boundary');
    // The shell still works: the navigation leads to another screen, which renders.
    const nav = page.getByRole('navigation', { name: 'Workspace' });
    await nav.getByRole('link', { name: 'Members & settings' }).click();
    await page.getByRole('heading', { name: 'Northwind Studio', level: 1 }).waitFor();
    expect(await alert.count()).toBe(0);

    // Back to the project while it still fails, then "Try again" once the API answers properly.
    await page.goBack();
    await alert.waitFor();
    await page.unroute(projectUrl);
    await alert.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Spring Campaign', level: 1 }).waitFor();
    // The only errors are React's reports of the caught rendering failure (object as a child, #31).
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.filter((error) => !error.includes('React error #31'))).toEqual([]);
    errors.length = 0;
  });

  it('shows a skeleton while a screen’s data is on its way', async () => {
    const { page, errors } = await open(desktop);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(`**/api/projects/${scene.projectId}`, async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Spring Campaign' }).first().click();
    const skeleton = page.getByRole('status', { name: 'Loading' });
    await skeleton.waitFor();
    expect(await skeleton.getAttribute('aria-busy')).toBe('true');
    release();
    await page.getByRole('heading', { name: 'Spring Campaign', level: 1 }).waitFor();
    expect(await skeleton.count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
