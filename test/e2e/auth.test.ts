import { randomUUID } from 'node:crypto';
import { createAccessTokenVerifier, remoteJwks } from '@flux/server-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.js';

const password = `Gateway-${randomUUID()}-horse`;

/** Auth as a browser sees it: through nginx, cookies scoped to /api/auth, across a restart of the service. */
describe('auth through the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  const cookieJar = new Map<string, string>();
  async function browser(method: string, path: string, { body, headers = {} }: { body?: unknown; headers?: Record<string, string> } = {}) {
    const response = await fetch(stack.url + path, {
      method,
      headers: {
        ...headers,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(cookieJar.size > 0 && { cookie: [...cookieJar].map(([k, v]) => `${k}=${v}`).join('; ') }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (value) cookieJar.set(name, value);
      else cookieJar.delete(name);
    }
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  it('signs up, refreshes with the cookie and CSRF, and keeps working across an auth restart', async () => {
    const email = `gateway-${randomUUID()}@example.com`;
    const signup = await browser('POST', '/api/auth/signup', { body: { email, password, name: 'Gate Keeper' } });
    expect(signup.status).toBe(201);
    expect(signup.headers.getSetCookie().join('\n')).toMatch(/flux_refresh=.*Path=\/api\/auth.*HttpOnly/i);

    const verify = createAccessTokenVerifier(remoteJwks(stack.url));
    expect((await verify(signup.body.accessToken)).email).toBe(email);

    await stack.restartService('auth');

    const csrf = await browser('GET', '/api/auth/csrf');
    const refreshed = await browser('POST', '/api/auth/refresh', { headers: { 'x-csrf-token': csrf.body.csrfToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.email).toBe(email);
    const me = await browser('GET', '/api/auth/me', { headers: { authorization: `Bearer ${signup.body.accessToken}` } });
    expect(me.body.user.name).toBe('Gate Keeper');

    const org = await browser('POST', '/api/organizations', {
      body: { name: 'Gateway Org' },
      headers: { authorization: `Bearer ${refreshed.body.accessToken}` },
    });
    expect(org.status).toBe(201);
    const project = await browser('POST', `/api/organizations/${org.body.id}/projects/`, {
      body: { name: 'P' },
      headers: { authorization: `Bearer ${refreshed.body.accessToken}` },
    });
    expect(project.status).toBe(201);
    const listed = await browser('GET', `/api/projects?organizationId=${org.body.id}`, {
      headers: { authorization: `Bearer ${refreshed.body.accessToken}` },
    });
    expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([project.body.id]);
  });

  it('does not expose internal routes through nginx', async () => {
    const response = await fetch(`${stack.url}/internal/users/${randomUUID()}`);
    expect(response.status).toBe(404);
  });
});
