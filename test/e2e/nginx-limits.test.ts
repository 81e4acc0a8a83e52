import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { ErrorBody } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startStack, type Stack } from './stack.js';

/** nginx's per-address limits on the credential and upgrade paths, through the real gateway with low settings. */
describe('nginx limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    // One request every 10 s per address, 5 more at once: a burst of 10 must be cut. One credential request at a time.
    stack = await startStack({
      FLUX_NGINX_AUTH_RATE: '6',
      FLUX_NGINX_AUTH_BURST: '5',
      FLUX_NGINX_AUTH_CONNECTIONS: '1',
      FLUX_NGINX_UPGRADE_RATE: '6',
      FLUX_NGINX_UPGRADE_BURST: '5',
    });
  });
  afterAll(() => stack?.stop());

  const expectRefusals = async (refused: Response[]) => {
    for (const response of refused) {
      expect(response.headers.get('retry-after')).toBe('10');
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(((await response.json()) as ErrorBody).error.code).toBe('rate_limited');
    }
  };
  const burst = (path: string, init?: RequestInit) => Promise.all(Array.from({ length: 10 }, () => fetch(`${stack.url}${path}`, init)));

  it.each([
    [
      '/api/auth/login',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"a@b.invalid","password":"x"}' },
    ],
    ['/socket.io/?EIO=4&transport=polling', undefined],
  ])('answers a burst on %s beyond the limit with 429 in the error envelope and Retry-After', async (path, init) => {
    const responses = await burst(path, init);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    // The ones within the burst reached the service (its own answer, whatever it is).
    expect(responses.filter((r) => r.status !== 429).length).toBeGreaterThan(0);
    await expectRefusals(refused);
  });

  it('counts /collab/ in the same per-address budget as /socket.io/ (just spent above): refused with 429', async () => {
    const responses = await burst('/collab/health');
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(429));
    await expectRefusals(responses);
  });

  it('refuses a second concurrent credential request from one address with 429 while the first is open, and serves it once that one is gone', async () => {
    // From 127.0.0.2: an address of its own, whose request budget (6) the bursts above did not spend,
    // so a 429 here is the one-at-a-time cap.
    const login = (body?: string) =>
      httpRequest({
        host: '127.0.0.1',
        port: Number(new URL(stack.url).port),
        localAddress: '127.0.0.2',
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json', 'content-length': body?.length ?? 100 },
      });
    const answer = (body: string) =>
      new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
        const req = login(body);
        req.once('error', reject);
        req.once('response', (response: IncomingMessage) => {
          let text = '';
          response.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          response.once('end', () =>
            resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: text }),
          );
        });
        req.end(body);
      });
    const credentials = '{"email":"a@b.invalid","password":"x"}';
    // Open: headers sent, the body never finished, so nginx holds the request (and its slot).
    const held = login();
    held.on('error', () => {});
    held.write('{"email":');
    await new Promise((resolve) => held.once('socket', (socket) => socket.once('connect', resolve)));
    const refused = await eventually(
      async () => {
        const second = await answer(credentials);
        return second.status === 429 ? second : undefined;
      },
      { what: 'the second concurrent request refused' },
    );
    expect(refused.retryAfter).toBe('10');
    expect((JSON.parse(refused.body) as ErrorBody).error.code).toBe('rate_limited');
    held.destroy();
    const served = await eventually(
      async () => {
        const third = await answer(credentials);
        return third.status !== 429 ? third : undefined;
      },
      { what: 'a request once the open one is gone' },
    );
    expect((JSON.parse(served.body) as ErrorBody).error.code).toBe('invalid_credentials');
  });

  it('leaves the other API paths alone', async () => {
    const responses = await burst('/api/auth/health');
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
  });
});
