import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readContractRoutes, routeKey } from '../support/contract-routes.js';
import { eventually } from '../support/eventually.js';
import { launchBrowser, openTab, screenshot, signUpViaApi } from './browser.js';
import { startStack, type Stack } from './stack.js';

const contractFile = fileURLToPath(new URL('../../../shared/CONTRACT.md', import.meta.url));

interface OpenApiDocument {
  paths: Record<string, Record<string, { tags?: string[] }>>;
}

/**
 * The merged OpenAPI document and its reference page through nginx, the request id at the
 * gateway, and each built service's metrics on its own port: one stack for all of them.
 */
describe('API docs and metrics', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  // Each service publishes its document once it is ready; the merged one answers 503 until all have.
  const mergedDocument = () =>
    eventually(async () => {
      const response = await fetch(`${stack.url}/api/docs/json`);
      return response.status === 200 && ((await response.json()) as OpenApiDocument);
    });

  it('documents every route of CONTRACT.md in one merged OpenAPI document at /api/docs/json', async () => {
    const document = await mergedDocument();
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => routeKey(method, path))),
    );
    const contract = readContractRoutes(contractFile);
    expect(contract.length).toBeGreaterThan(50);
    expect(contract.filter((route) => !documented.has(route))).toEqual([]);
  });

  it('tags each operation with its service and leaves internal routes out', async () => {
    const document = await mergedDocument();
    expect(document.paths['/api/auth/login']?.post?.tags).toEqual(['auth']);
    expect(document.paths['/api/conversations']?.get?.tags).toEqual(['messaging']);
    expect(document.paths['/api/documents']?.get?.tags).toEqual(['collab']);
    expect(Object.keys(document.paths).filter((path) => /^\/(internal|health$|metrics$)/.test(path))).toEqual([]);
  });

  it('renders the reference page at /api/docs in Chromium under the gateway CSP', async () => {
    await mergedDocument();
    const tab = await openTab(browser, stack.url);
    try {
      const response = await tab.page.goto('/api/docs');
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      // Swagger UI draws one block per operation once it has fetched and parsed the document.
      await tab.page.locator('.opblock').first().waitFor();
      expect(await tab.page.locator('.opblock').count()).toBeGreaterThan(50);
      await expect(
        tab.page.locator('.opblock-summary-path', { hasText: '/api/conversations/{id}/messages' }).first().isVisible(),
      ).resolves.toBe(true);
      await screenshot(tab.page, 'api-docs');
      // A script or style the CSP refused would show up here as a console error.
      expect(tab.errors).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });

  it("keeps the client's request id through nginx, and generates one when there is none or it is unusable", async () => {
    const kept = await fetch(`${stack.url}/api/auth/health`, { headers: { 'x-request-id': 'client-chosen.id-42' } });
    expect(kept.headers.get('x-request-id')).toBe('client-chosen.id-42');
    const generated = await fetch(`${stack.url}/api/auth/health`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    const unusable = await fetch(`${stack.url}/api/auth/health`, { headers: { 'x-request-id': 'has spaces and "quotes"' } });
    expect(unusable.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
  });

  const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  it('counts every route and socket event and reports queue gauges in each service', async () => {
    const { accessToken } = await signUpViaApi(stack.url, 'Metrics Person');
    await fetch(`${stack.url}/api/conversations`, { headers: { authorization: `Bearer ${accessToken}` } });
    const socket = connect(stack.url, { path: '/socket.io/', transports: ['websocket'], auth: { token: accessToken } });
    try {
      const answer = await socket.timeout(10_000).emitWithAck('sync', { conversations: {} });
      expect(answer).toMatchObject({ ok: true });
      const messaging = await scrape(stack.ports.messaging);
      expect(messaging).toContain('socketio_events_total{event="sync",outcome="ok",service="messaging"} 1');
      expect(messaging).toMatch(/socketio_event_duration_seconds_count\{service="messaging",event="sync",outcome="ok"\} 1/);
      expect(messaging).toMatch(
        /http_requests_total\{method="GET",route="\/api\/conversations",status_class="2xx",service="messaging"\} 1/,
      );
      expect(messaging).toMatch(/bullmq_queue_oldest_waiting_seconds\{queue="notifications",service="messaging"\}/);
      expect(messaging).toMatch(/socketio_rooms\{service="messaging"\} \d/);
    } finally {
      socket.close();
    }
    const auth = await scrape(stack.ports.auth);
    expect(auth).toMatch(/http_requests_total\{method="POST",route="\/api\/auth\/signup",status_class="2xx",service="auth"\} 1/);
    expect(auth).toMatch(/bullmq_queue_jobs\{queue="[^"]+",state="waiting",service="auth"\}/);
    const collab = await scrape(stack.ports.collab);
    expect(collab).toMatch(/bullmq_queue_jobs\{queue="[^"]+",state="waiting",service="collab"\}/);
    expect(collab).toMatch(/collab_persistence_lag_seconds\{service="collab"\} /);
  });
});
