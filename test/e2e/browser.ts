import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuthTokens } from '@flux/shared';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { type HttpMethod, httpClient } from '../support/http.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const screenshotDir = join(root, 'test-results/screenshots');

/** Debian's Chromium through playwright-core; never a downloaded browser. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far: a normal session should have none. */
  errors: string[];
}

/** A fresh browser profile (own cookies: its own user) with one page that records errors. */
export async function openTab(browser: Browser, baseURL: string): Promise<Tab> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  // Shorter than the test timeouts, so a failure names the element that never appeared; long
  // enough for a loaded two-core CI machine.
  context.setDefaultTimeout(20_000);
  const { page, errors } = await openPage(context);
  return { context, page, errors };
}

/** Another page in an existing profile (same cookies: another tab of the same person). */
export async function openPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium logs every 4xx answer as "Failed to load resource"; a 401 from /refresh when signed
    // out or a 400 for a weak password is the app working as designed and is shown to the user.
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) return;
    errors.push(`${message.text()} @ ${message.location().url}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) errors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), what an authenticator app would show `stepOffset` steps from now. */
export function totp(base32Secret: string, stepOffset = 0, now = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of base32Secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30_000) + stepOffset));
  const hmac = createHmac('sha1', key).update(counter).digest();
  const offset = hmac[hmac.length - 1]! & 0xf;
  const code = (hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, '0');
}

let counter = 0;
/** A unique email per test run, so tests never collide on the shared database. */
export const uniqueEmail = (who: string) => `${who}-${Date.now().toString(36)}-${process.pid}-${counter++}@example.com`;
export const PASSWORD = 'Quiet-lantern-orbit-42';

/** Signs a new person up through the UI and waits for the app to open. */
export async function signUpInBrowser(
  page: Page,
  name: string,
  email = uniqueEmail(name.toLowerCase().replace(/\W/g, '')),
): Promise<string> {
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('banner').getByText(name).waitFor();
  return email;
}

/** Signs up over the API (for people who only need to exist). */
export async function signUpViaApi(baseURL: string, name: string): Promise<AuthTokens & { email: string }> {
  const email = uniqueEmail(name.toLowerCase().replace(/\W/g, ''));
  const answer = await httpClient(baseURL).post<AuthTokens>('/api/auth/signup', { name, email, password: PASSWORD });
  if (answer.status !== 201) throw new Error(`signup failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { email, ...answer.body };
}

/** A JSON call as a signed-in user, for setting the scene quickly (anything but a 2xx fails it). */
export async function apiCall<T>(baseURL: string, token: string, method: HttpMethod, path: string, body?: unknown): Promise<T> {
  const answer = await httpClient(baseURL, { token }).request<T>(method, path, { body });
  if (answer.status < 200 || answer.status > 299) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Signs an existing account in through the UI. */
export async function signInInBrowser(page: Page, email: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
}
