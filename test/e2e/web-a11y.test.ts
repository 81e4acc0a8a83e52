import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInInBrowser, signUpViaApi } from './browser.js';
import { startStack, type Stack } from './stack.js';
import { buildScene, desktop, openDeviceTab, phone, type Scene } from './web-scene.js';

const axePath = createRequire(import.meta.url).resolve('axe-core');

interface AxeResult {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** axe-core's serious and critical violations on the page as it is now, one line each. */
async function seriousViolations(page: Page, where: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(
    // biome-ignore lint/suspicious/noExplicitAny: axe is a global the script tag just defined
    async () => ((await (window as any).axe.run(document)) as { violations: AxeResult[] }).violations,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const modes = [
  { name: 'light desktop', colorScheme: 'light', ...desktop },
  { name: 'dark desktop', colorScheme: 'dark', ...desktop },
  { name: 'light phone', colorScheme: 'light', ...phone },
  { name: 'dark phone', colorScheme: 'dark', ...phone },
] as const;

describe('web: accessibility (axe-core on the main screens, light and dark, desktop and phone)', () => {
  let stack: Stack;
  let browser: Browser;
  let scene: Scene;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    scene = await buildScene(stack.url, 'Ada Access');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Each screen: its address and what shows once it has loaded. */
  const screens = (s: Scene) => [
    { name: 'organization', path: `/orgs/${s.orgId}`, ready: (p: Page) => p.getByRole('heading', { name: 'Northwind Studio', level: 1 }) },
    {
      name: 'project',
      path: `/projects/${s.projectId}`,
      ready: (p: Page) => p.getByRole('heading', { name: 'Spring Campaign', level: 1 }),
    },
    {
      name: 'conversation',
      path: `/conversations/${s.conversationId}`,
      ready: (p: Page) => p.getByTestId('messages').getByText('Kick-off at ten'),
    },
    { name: 'document', path: `/documents/${s.documentId}`, ready: (p: Page) => p.getByTestId('connection').getByText('Live') },
    { name: 'account', path: '/account', ready: (p: Page) => p.getByRole('heading', { name: 'Account', level: 1 }) },
    { name: 'people', path: `/people/${s.teammate.user.id}`, ready: (p: Page) => p.getByRole('heading', { name: 'Bea Teammate' }) },
  ];

  it.each(modes)(
    'has no serious or critical violation on any main screen ($name)',
    async (mode) => {
      const found: string[] = [];
      // axe is injected as an inline script, which the app's CSP (script-src 'self') rightly refuses.
      const { name, ...device } = mode;
      const options = { ...device, bypassCSP: true };

      // Signed out: sign-in and sign-up.
      const guest = await openDeviceTab(browser, stack.url, options);
      await guest.page.goto('/signin');
      await guest.page.getByRole('button', { name: 'Sign in' }).waitFor();
      found.push(...(await seriousViolations(guest.page, `sign-in, ${name}`)));
      await guest.page.goto('/signup');
      await guest.page.getByRole('button', { name: 'Create account' }).waitFor();
      found.push(...(await seriousViolations(guest.page, `sign-up, ${name}`)));

      // Home for someone new (no organization yet): the welcome screen.
      const newcomer = await signUpViaApi(stack.url, 'Nell Newcomer');
      await signInInBrowser(guest.page, newcomer.email);
      await guest.page.getByRole('heading', { name: 'Welcome to FluxStudio' }).waitFor();
      found.push(...(await seriousViolations(guest.page, `home, ${name}`)));

      const member = await openDeviceTab(browser, stack.url, options);
      await signInInBrowser(member.page, scene.owner.email);
      for (const screen of screens(scene)) {
        await member.page.goto(screen.path);
        await screen.ready(member.page).waitFor();
        await member.page.getByRole('status', { name: 'Loading' }).waitFor({ state: 'detached' });
        found.push(...(await seriousViolations(member.page, `${screen.name}, ${name}`)));
      }
      // The phone's open drawer and the quick switcher are screens of their own.
      if (options.viewport.width < 800) {
        await member.page.getByRole('button', { name: 'Open navigation' }).click();
        await member.page.getByRole('navigation', { name: 'Workspace' }).waitFor();
        found.push(...(await seriousViolations(member.page, `navigation drawer, ${name}`)));
        await member.page.keyboard.press('Escape');
      }
      await member.page.keyboard.press('Control+k');
      await member.page.getByRole('dialog', { name: 'Quick switcher' }).getByRole('option').first().waitFor();
      found.push(...(await seriousViolations(member.page, `quick switcher, ${name}`)));

      expect(found).toEqual([]);
      expect([...guest.errors, ...member.errors]).toEqual([]);
      await Promise.all([guest.context.close(), member.context.close()]);
    },
    120_000,
  );
});
