import { randomUUID } from 'node:crypto';
import { createAccessTokenVerifier, remoteJwks } from '@flux/server-kit';
import type { AuthTokens, MeResponse, Organization, Page, Project } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpClient, httpClient } from '../support/http.js';
import { startStack, type Stack } from './stack.js';

const password = `Gateway-${randomUUID()}-horse`;

/** Auth as a browser sees it: through nginx, cookies scoped to /api/auth, across a restart of the service. */
describe('auth through the gateway', () => {
  let stack: Stack;
  // A browser: one cookie jar (the refresh cookie is scoped to /api/auth), bearer tokens per call.
  let browser: HttpClient;
  beforeAll(async () => {
    stack = await startStack();
    browser = httpClient(stack.url, { jar: true });
  });
  afterAll(() => stack?.stop());

  it('signs up, refreshes with the cookie and CSRF, and keeps working across an auth restart', async () => {
    const email = `gateway-${randomUUID()}@example.com`;
    const signup = await browser.post<AuthTokens>('/api/auth/signup', { email, password, name: 'Gate Keeper' });
    expect(signup.status).toBe(201);
    expect(signup.headers.getSetCookie().join('\n')).toMatch(/flux_refresh=.*Path=\/api\/auth.*HttpOnly/i);

    const verify = createAccessTokenVerifier(remoteJwks(stack.url));
    expect((await verify(signup.body.accessToken)).email).toBe(email);

    await stack.restartService('auth');

    const csrf = await browser.get<{ csrfToken: string }>('/api/auth/csrf');
    const refreshed = await browser.post<AuthTokens>('/api/auth/refresh', undefined, { headers: { 'x-csrf-token': csrf.body.csrfToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.email).toBe(email);
    const me = await browser.get<MeResponse>('/api/auth/me', { token: signup.body.accessToken });
    expect(me.body.user.name).toBe('Gate Keeper');

    const asRefreshed = browser.as(refreshed.body);
    const org = await asRefreshed.post<Organization>('/api/organizations', { name: 'Gateway Org' });
    expect(org.status).toBe(201);
    const project = await asRefreshed.post<Project>(`/api/organizations/${org.body.id}/projects/`, { name: 'P' });
    expect(project.status).toBe(201);
    const listed = await asRefreshed.get<Page<Project>>('/api/projects', { query: { organizationId: org.body.id } });
    expect(listed.body.items.map((p) => p.id)).toEqual([project.body.id]);
  });

  it('does not expose internal routes through nginx', async () => {
    expect((await httpClient(stack.url).get(`/internal/users/${randomUUID()}`)).status).toBe(404);
  });
});
