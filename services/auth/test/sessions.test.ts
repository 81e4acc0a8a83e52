import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import type { AuthTokens, ErrorBody, Page, SessionInfo } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../../test/support/auth.js';
import { httpClient } from '../../../test/support/http.js';
import { factories } from './factories.js';
import { authApp, signup, testDatabase } from './helpers.js';

describe('refresh token families, sessions and cookies', () => {
  let app: App;
  const { db } = testDatabase();
  const make = factories(db);
  beforeAll(async () => {
    app = await authApp();
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('answers a repeat inside the grace window with the same successor (racing tabs)', async () => {
    const user = await make.user();
    const http = httpClient(app);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => http.post<AuthTokens>('/api/auth/refresh', { refreshToken: user.refreshToken })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const successors = new Set(answers.map((a) => a.body.refreshToken));
    expect(successors.size).toBe(1);
    // The successor itself works, and the session is still alive.
    const next = await http.post('/api/auth/refresh', { refreshToken: [...successors][0] });
    expect(next.status).toBe(200);
  });

  it('revokes the whole session when a rotated token is reused after the grace window', async () => {
    const user = await make.user();
    const http = httpClient(app);
    const rotated = await http.post<AuthTokens>('/api/auth/refresh', { refreshToken: user.refreshToken });
    expect(rotated.status).toBe(200);
    // Move the first use back in time instead of waiting out the 10 s window.
    await db
      .updateTable('auth.refresh_tokens')
      .set({ used_at: new Date(Date.now() - 11_000) })
      .where('used_at', 'is not', null)
      .where('session_id', 'in', db.selectFrom('auth.sessions').select('id').where('user_id', '=', user.id))
      .execute();

    const reuse = await http.post<ErrorBody>('/api/auth/refresh', { refreshToken: user.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('refresh_token_reused');
    // The legitimate successor dies with its family, and so does the access token's session.
    const successor = await http.post('/api/auth/refresh', { refreshToken: rotated.body.refreshToken });
    expect(successor.status).toBe(401);
    expect((await http.get('/api/auth/me', { token: rotated.body.accessToken })).status).toBe(401);
    const events = await db.selectFrom('auth.security_events').select('type').where('user_id', '=', user.id).execute();
    expect(events.map((e) => e.type)).toContain('refresh_token_reused');
  });

  it('ends a session 30 days after sign-in whatever the rotations', async () => {
    const user = await signup(httpClient(app));
    const session = await db
      .selectFrom('auth.sessions')
      .select(['id', 'created_at', 'expires_at'])
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(session.expires_at.getTime() - session.created_at.getTime()).toBeLessThanOrEqual(30 * 86_400_000);
    const refreshed = await httpClient(app).post<AuthTokens>('/api/auth/refresh', { refreshToken: user.refreshToken });
    const token = await db
      .selectFrom('auth.refresh_tokens')
      .select('expires_at')
      .where('session_id', '=', session.id)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(token.expires_at.getTime()).toBeLessThanOrEqual(session.expires_at.getTime());
    await db
      .updateTable('auth.sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', session.id)
      .execute();
    const late = await httpClient(app).post<ErrorBody>('/api/auth/refresh', { refreshToken: refreshed.body.refreshToken });
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe('invalid_refresh_token');
  });

  it('keeps the refresh token in an httpOnly SameSite=Strict cookie and demands the CSRF header with it', async () => {
    const browser = httpClient(app, { jar: true });
    const email = `cookie-${randomUUID()}@example.com`;
    const signedUp = await browser.post('/api/auth/signup', { email, password: TEST_PASSWORD, name: 'Cookie' });
    expect(signedUp.status).toBe(201);
    const setCookie = signedUp.headers.getSetCookie().find((c) => c.startsWith('flux_refresh='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/api\/auth/);
    expect(setCookie).not.toMatch(/Secure/i); // PUBLIC_URL is http in tests

    const noCsrf = await browser.post<ErrorBody>('/api/auth/refresh');
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('csrf_failed');
    const wrongCsrf = await browser.post('/api/auth/refresh', undefined, { headers: { 'x-csrf-token': 'forged' } });
    expect(wrongCsrf.status).toBe(403);

    const { body } = await browser.get<{ csrfToken: string }>('/api/auth/csrf');
    const refreshed = await browser.post<AuthTokens>('/api/auth/refresh', undefined, { headers: { 'x-csrf-token': body.csrfToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.email).toBe(email);

    // Cookie-mode logout: CSRF again, then the cookie is cleared and the session is over.
    const logout = await browser.post('/api/auth/logout', undefined, { headers: { 'x-csrf-token': body.csrfToken } });
    expect(logout.status).toBe(204);
    expect(browser.cookies.has('flux_refresh')).toBe(false);
    expect((await httpClient(app).post('/api/auth/refresh', { refreshToken: refreshed.body.refreshToken })).status).toBe(401);
  });

  it('marks the cookie Secure behind https', async () => {
    const secure = await authApp({ PUBLIC_URL: 'https://flux.example.com' });
    try {
      const answer = await httpClient(secure).post('/api/auth/signup', {
        email: `s-${randomUUID()}@example.com`,
        password: TEST_PASSWORD,
        name: 'S',
      });
      expect(answer.headers.getSetCookie().find((c) => c.startsWith('flux_refresh='))).toMatch(/Secure/);
    } finally {
      await secure.close();
    }
  });

  it('lists sessions with device info, revokes one, logs out and logs out everywhere', async () => {
    const user = await make.user();
    const phone = httpClient(app);
    const login = await phone.post<AuthTokens>(
      '/api/auth/login',
      { email: user.email, password: TEST_PASSWORD },
      { headers: { 'user-agent': 'FluxPhone/1.0' } },
    );
    expect(login.status).toBe(200);

    const list = await phone.get<Page<SessionInfo>>('/api/auth/sessions', { token: user.accessToken });
    expect(list.body.items).toHaveLength(2);
    const phoneSession = list.body.items.find((s) => s.userAgent === 'FluxPhone/1.0');
    expect(phoneSession).toMatchObject({
      id: expect.any(String),
      ip: expect.any(String),
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
      current: false,
    });
    expect(list.body.items.filter((s) => s.current)).toHaveLength(1);

    const stranger = await make.user();
    expect((await phone.delete(`/api/auth/sessions/${phoneSession!.id}`, { token: stranger.accessToken })).status).toBe(404);
    expect((await phone.delete(`/api/auth/sessions/${phoneSession!.id}`, { token: user.accessToken })).status).toBe(204);
    expect((await phone.get('/api/auth/me', { token: login.body.accessToken })).status).toBe(401);
    expect((await phone.post('/api/auth/refresh', { refreshToken: login.body.refreshToken })).status).toBe(401);

    const second = await phone.post<AuthTokens>('/api/auth/login', { email: user.email, password: TEST_PASSWORD });
    expect((await phone.post('/api/auth/logout', undefined, { token: second.body.accessToken })).status).toBe(204);
    expect((await phone.get('/api/auth/me', { token: second.body.accessToken })).status).toBe(401);
    expect((await phone.get('/api/auth/me', { token: user.accessToken })).status).toBe(200);

    const third = await phone.post<AuthTokens>('/api/auth/login', { email: user.email, password: TEST_PASSWORD });
    expect((await phone.post('/api/auth/logout-all', undefined, { token: third.body.accessToken })).status).toBe(204);
    for (const token of [user.accessToken, third.body.accessToken]) expect((await phone.get('/api/auth/me', { token })).status).toBe(401);
    expect((await phone.post('/api/auth/refresh', { refreshToken: user.refreshToken })).status).toBe(401);
  });
});
