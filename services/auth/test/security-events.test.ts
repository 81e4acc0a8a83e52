import type { App } from '@flux/server-kit';
import type { Page, SecurityEvent } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../../test/support/auth.js';
import { httpClient } from '../../../test/support/http.js';
import { factories } from './factories.js';
import { authApp, signup, testDatabase } from './helpers.js';

describe('GET /api/auth/security-events', () => {
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

  it("lists the caller's own events newest first with ip, user agent and paging", async () => {
    const http = httpClient(app);
    const user = await signup(http);
    const other = await make.user();
    await http.post('/api/auth/login', { email: user.email, password: 'wrong-password-1' }, { headers: { 'user-agent': 'Probe/1' } });
    await http.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD }, { headers: { 'user-agent': 'Laptop/2' } });
    await http.post('/api/auth/refresh', { refreshToken: user.refreshToken });

    const page = await http.get<Page<SecurityEvent>>('/api/auth/security-events?limit=2', { token: user.accessToken });
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const rest = await http.get<Page<SecurityEvent>>(`/api/auth/security-events?limit=50&cursor=${page.body.nextCursor}`, {
      token: user.accessToken,
    });
    const all = [...page.body.items, ...rest.body.items];
    // Newest first; events of one request can share a millisecond, so compare the set and the time order.
    expect(all.map((e) => e.type).sort()).toEqual(['login_failed', 'login_succeeded', 'new_device', 'refresh', 'signup']);
    const times = all.map((e) => Date.parse(e.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all.at(-1)?.type).toBe('signup');
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(all.every((e) => e.userId === user.id)).toBe(true);
    expect(all.find((e) => e.type === 'login_failed')).toMatchObject({
      userAgent: 'Probe/1',
      ip: expect.any(String),
      metadata: { reason: 'wrong_password' },
    });

    // Another user sees none of them; a platform admin sees everyone's.
    const theirs = await http.get<Page<SecurityEvent>>('/api/auth/security-events', { token: other.accessToken });
    expect(theirs.body.items.every((e) => e.userId === other.id)).toBe(true);
    await db.updateTable('auth.users').set({ is_admin: true }).where('id', '=', other.id).execute();
    const admin = await http.get<Page<SecurityEvent>>('/api/auth/security-events?limit=100', { token: other.accessToken });
    expect(admin.body.items.some((e) => e.userId === user.id)).toBe(true);

    expect((await http.get('/api/auth/security-events?cursor=bogus', { token: user.accessToken })).status).toBe(400);
    expect((await http.get('/api/auth/security-events')).status).toBe(401);
  });
});
