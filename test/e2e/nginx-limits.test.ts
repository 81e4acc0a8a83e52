import type { ErrorBody } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.js';

/** nginx's per-address limits on the credential and upgrade paths, through the real gateway with low settings. */
describe('nginx limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    // One request every 10 s per address, 2 more at once: a burst of 8 must be cut.
    stack = await startStack({
      FLUX_NGINX_AUTH_RATE: '6',
      FLUX_NGINX_AUTH_BURST: '2',
      FLUX_NGINX_UPGRADE_RATE: '6',
      FLUX_NGINX_UPGRADE_BURST: '2',
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
  const burst = (path: string, init?: RequestInit) => Promise.all(Array.from({ length: 8 }, () => fetch(`${stack.url}${path}`, init)));

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
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(429));
    await expectRefusals(responses);
  });

  it('leaves the other API paths alone', async () => {
    const responses = await burst('/api/auth/health');
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
  });
});
