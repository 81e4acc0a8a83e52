import WebSocket from 'ws';
import type { ErrorBody, HealthBody } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../support/http.js';
import { startStack, type Stack } from './stack.js';

/** The foundation end to end: built services as processes, behind the project's nginx config. */
describe('gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it.each([
    ['/api/auth/health', 'auth'],
    ['/api/messages/health', 'messaging'],
    ['/collab/health', 'collab'],
  ])('%s answers with real DB and Redis checks', async (path, service) => {
    for (const url of [path, `${path}/`]) {
      const response = await httpClient(stack.url).get<HealthBody>(url);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'ok', service, checks: { db: 'ok', redis: 'ok' } });
      expect(response.headers.get('x-request-id')).toBeTruthy();
    }
  });

  it('collab health reports connections and rooms', async () => {
    const { body } = await httpClient(stack.url).get<HealthBody>('/collab/health');
    expect(body).toMatchObject({ connections: expect.any(Number), activeRooms: expect.any(Number) });
  });

  // The SPA, asset and body-size checks stay on fetch: they are about raw HTTP (HTML, compression, a huge raw body).
  it('serves the SPA with a fallback, security headers and no caching of index.html', async () => {
    for (const path of ['/', '/projects/some/deep/link']) {
      const response = await fetch(stack.url + path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('<div id="root">');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBeTruthy();
    }
  });

  it('caches hashed assets for a year and gzips them', async () => {
    const html = await (await fetch(stack.url)).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const response = await fetch(stack.url + asset, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(response.headers.get('content-encoding')).toBe('gzip');
  });

  it('keeps /internal and /metrics away from the outside', async () => {
    for (const path of ['/internal/x', '/internal/users/1', '/metrics', '/api/auth/metrics', '/api/auth/internal/users/1']) {
      const response = await httpClient(stack.url).get<ErrorBody>(path);
      expect(response.status, path).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }
  });

  it('answers unknown API routes with the error envelope', async () => {
    const response = await httpClient(stack.url).get<ErrorBody>('/api/nope');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('refuses bodies above the size limit with 413', async () => {
    const response = await fetch(`${stack.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(60 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
  });

  it('passes a body too large for nginx’s memory buffer (written to its temp files) to the service', async () => {
    const response = await fetch(`${stack.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'x'.repeat(256 * 1024) }),
    });
    // The service’s own answer (the password is over its length limit), not nginx’s 500.
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.code).toBe('validation_error');
  });

  it('passes WebSocket upgrades through /socket.io/ and /collab/', async () => {
    const ws = (path: string) => new WebSocket(stack.url.replace('http', 'ws') + path);
    const io = ws('/socket.io/?EIO=4&transport=websocket');
    const handshake = await new Promise<string>((resolve, reject) => {
      io.once('message', (data) => resolve(String(data)));
      io.once('error', reject);
    });
    expect(handshake.startsWith('0{')).toBe(true); // engine.io "open" packet
    io.close();

    const collab = ws('/collab/00000000-0000-4000-8000-000000000000?token=bad');
    const code = await new Promise<number>((resolve, reject) => {
      collab.once('close', (c) => resolve(c));
      collab.once('error', reject);
    });
    expect(code).toBe(4401);
  });
});
