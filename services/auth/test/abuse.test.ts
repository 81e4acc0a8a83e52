import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import type { AuthTokens, ErrorBody } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../../test/support/auth.js';
import { httpClient } from '../../../test/support/http.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

const ip = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

describe('abuse controls in Redis', () => {
  let app: App;
  const { db } = testDatabase();
  const make = factories(db);
  beforeAll(async () => {
    app = await authApp({ AUTH_LOGIN_FAILURES_PER_ACCOUNT_IP: '3', AUTH_LOCKOUT_SECONDS: '900' });
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('locks an account for one IP after repeated failures, correct password or not, without locking it elsewhere', async () => {
    const user = await make.user();
    const attacker = httpClient(app, { ip: ip() });
    for (let i = 0; i < 3; i++) {
      const wrong = await attacker.post('/api/auth/login', { email: user.email, password: `wrong-password-${i}` });
      expect(wrong.status).toBe(401);
    }
    const locked = await attacker.post<ErrorBody>('/api/auth/login', { email: user.email, password: TEST_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('rate_limited');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);

    // The victim, from their own network, still signs in.
    const victim = await httpClient(app, { ip: ip() }).post('/api/auth/login', { email: user.email, password: TEST_PASSWORD });
    expect(victim.status).toBe(200);

    const types = (await db.selectFrom('auth.security_events').select('type').where('user_id', '=', user.id).execute()).map((e) => e.type);
    expect(types.filter((t) => t === 'login_failed')).toHaveLength(3);
    expect(types).toContain('login_locked');
    expect(types).toContain('login_succeeded');
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/auth_security_events_total\{type="login_locked",service="auth"\} [1-9]/);
  });

  it('limits credential requests per IP a minute with 429 and Retry-After', async () => {
    const limited = await authApp({ AUTH_CREDENTIAL_REQUESTS_PER_IP_PER_MINUTE: '3' });
    try {
      const address = ip();
      const from = httpClient(limited, { ip: address });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await from.post('/api/auth/login', { email: `${randomUUID()}@example.com`, password: 'whatever-it-is' })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const logged = await db
        .selectFrom('auth.security_events')
        .select('ip')
        .where('type', '=', 'rate_limited')
        .where('ip', '=', address)
        .execute();
      expect(logged).toHaveLength(1);
      const blocked = await from.post('/api/auth/password/forgot', { email: 'a@example.com' });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another IP is unaffected.
      expect((await httpClient(limited, { ip: ip() }).post('/api/auth/password/forgot', { email: 'a@example.com' })).status).toBe(202);
    } finally {
      await limited.close();
    }
  });

  it('records anomalies: many accounts from one IP, and a session refreshing in a loop', async () => {
    const from = ip();
    const sprayer = httpClient(app, { ip: from });
    for (let i = 0; i < 20; i++)
      await sprayer.post('/api/auth/login', { email: `spray-${randomUUID()}@example.com`, password: 'password-spray-1' });
    const spray = await db
      .selectFrom('auth.security_events')
      .select(['type', 'ip'])
      .where('type', '=', 'anomaly_many_accounts_from_ip')
      .where('ip', '=', from)
      .execute();
    expect(spray).toHaveLength(1);

    const user = await make.user();
    let refreshToken = user.refreshToken;
    for (let i = 0; i < 31; i++)
      refreshToken = (await httpClient(app).post<AuthTokens>('/api/auth/refresh', { refreshToken })).body.refreshToken;
    const loops = await db
      .selectFrom('auth.security_events')
      .select('type')
      .where('user_id', '=', user.id)
      .where('type', '=', 'anomaly_rapid_refresh')
      .execute();
    expect(loops).toHaveLength(1);
  });

  it('gives an attacker nothing to tell known from unknown emails', async () => {
    const user = await make.user();
    const http = httpClient(app, { ip: ip() });
    const known = await http.post('/api/auth/password/forgot', { email: user.email });
    const unknown = await http.post('/api/auth/password/forgot', { email: `${randomUUID()}@example.com` });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(known.body).toEqual(unknown.body);

    const wrong = await http.post('/api/auth/login', { email: user.email, password: 'definitely-wrong-pw' });
    const missing = await http.post('/api/auth/login', { email: `${randomUUID()}@example.com`, password: 'definitely-wrong-pw' });
    expect([wrong.status, missing.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(missing.body);
  });
});
