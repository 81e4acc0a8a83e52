import type { App } from '@flux/server-kit';
import type { ErrorBody, OutboxMail, Page, SecurityEvent, TotpSetup } from '@flux/shared';
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, type TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import { accountSlotMs } from '../src/security/limits.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

const ip = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const code = (secret: string, offset = 0) => authenticator.clone({ epoch: Date.now() + offset * 30_000 }).generate(secret);

describe('auth hardening: parallel guessing, TOTP cap, re-authentication', () => {
  let app: App;
  const { db } = testDatabase();
  const make = factories(db);
  beforeAll(async () => {
    app = await authApp({
      AUTH_LOGIN_FAILURES_PER_ACCOUNT_IP: '5',
      AUTH_ACCOUNT_FAILURES_PER_HOUR: '8',
      AUTH_TOTP_FAILURES_PER_ACCOUNT: '3',
    });
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const eventTypes = async (userId: string) =>
    (await db.selectFrom('auth.security_events').select('type').where('user_id', '=', userId).execute()).map((e) => e.type);

  /** MFA turned on for `user` through the API (re-authenticated first); answers the TOTP secret and recovery codes. */
  async function withMfa(user: TestUser): Promise<{ secret: string; recovery: string[] }> {
    const http = httpClient(app, { token: user.accessToken });
    expect((await http.post('/api/auth/reauth', { password: TEST_PASSWORD })).status).toBe(200);
    const { secret } = (await http.post<TotpSetup>('/api/auth/mfa/totp/setup')).body;
    // The current step: a later TOTP check in a test uses the next one, which no boundary crossing can make stale or spent.
    const enabled = await http.post<{ recoveryCodes: string[] }>('/api/auth/mfa/totp/enable', { code: code(secret) });
    expect(enabled.status).toBe(200);
    return { secret, recovery: enabled.body.recoveryCodes };
  }

  it('evaluates at most the limit of 50 parallel wrong passwords from one IP; the rest get 429, then even the right password', async () => {
    const user = await make.user();
    const attacker = httpClient(app, { ip: ip() });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        attacker.post<ErrorBody>('/api/auth/login', { email: user.email, password: `wrong-guess-${i}` }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.body.error.code).toBe('rate_limited');
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    // Only the five evaluated guesses were checked (and logged as failures); the lockout is logged once.
    const types = await eventTypes(user.id);
    expect(types.filter((t) => t === 'login_failed')).toHaveLength(5);
    expect(types.filter((t) => t === 'login_locked')).toHaveLength(1);

    const right = await attacker.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(800);
    // The owner, from another network, is not locked out.
    expect((await httpClient(app, { ip: ip() }).post('/api/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(200);
  });

  it('past the hourly failures of an account, from any IP, answers 429 + Retry-After instead of sleeping', async () => {
    const user = await make.user();
    for (let i = 0; i < 8; i++)
      expect((await httpClient(app, { ip: ip() }).post('/api/auth/login', { email: user.email, password: `spread-${i}` })).status).toBe(
        401,
      );
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        httpClient(app, { ip: ip() }).post<ErrorBody>('/api/auth/login', { email: user.email, password: `distributed-${i}` }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    // One check per slot for the whole account; everyone else is told when to come back.
    expect(statuses.filter((s) => s === 401)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(19);
    expect(answers.filter((a) => a.status === 429).every((a) => Number(a.headers.get('retry-after')) >= 1)).toBe(true);
    expect(accountSlotMs(7, 8)).toBe(0);
    expect(accountSlotMs(8, 8)).toBe(1_000);
    expect(accountSlotMs(18, 8)).toBe(2_000);
    expect(accountSlotMs(10_000, 8)).toBe(60_000);
  });

  it('caps wrong TOTP codes per account across IPs, parallel ones included, then refuses even a right code', async () => {
    const user = await make.user();
    const { secret } = await withMfa(user);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        httpClient(app, { ip: ip() }).post<ErrorBody>('/api/auth/login', {
          email: user.email,
          password: TEST_PASSWORD,
          otp: String(100000 + i * 7919).slice(0, 6),
        }),
      ),
    );
    const codes = answers.map((a) => (a.status === 429 ? 'rate_limited' : a.body.error.code));
    expect(codes.filter((c) => c === 'invalid_otp')).toHaveLength(3);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(17);
    const right = await httpClient(app, { ip: ip() }).post('/api/auth/login', {
      email: user.email,
      password: TEST_PASSWORD,
      otp: code(secret),
    });
    expect(right.status).toBe(429);
    expect(await eventTypes(user.id)).toContain('mfa_locked');
  });

  it('refuses MFA setup and disable without a fresh re-authentication of this session', async () => {
    const user = await make.user();
    const http = httpClient(app, { token: user.accessToken });
    const setup = await http.post<ErrorBody>('/api/auth/mfa/totp/setup');
    expect(setup.status).toBe(401);
    expect(setup.body.error.code).toBe('reauth_required');

    const wrong = await http.post<ErrorBody>('/api/auth/reauth', { password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect((await http.post('/api/auth/mfa/totp/setup')).status).toBe(401);

    const { secret, recovery } = await withMfa(user);
    // Another session of the same account (say, a stolen token) is not re-authenticated by this one.
    const other = httpClient(app, { ip: ip() });
    const signedIn = await other.post<{ accessToken: string }>('/api/auth/login', {
      email: user.email,
      password: TEST_PASSWORD,
      // A recovery code: this sign-in only makes the second session; TOTP is checked by the re-authentication below.
      otp: recovery[1],
    });
    expect(signedIn.status).toBe(200);
    const stolen = await other.post<ErrorBody>('/api/auth/mfa/totp/disable', { code: code(secret) }, { token: signedIn.body.accessToken });
    expect(stolen.status).toBe(401);
    expect(stolen.body.error.code).toBe('reauth_required');
    // With MFA on, re-authentication needs the code too.
    const noCode = await other.post<ErrorBody>('/api/auth/reauth', { password: TEST_PASSWORD }, { token: signedIn.body.accessToken });
    expect(noCode.body.error.code).toBe('mfa_required');
    const reauth = await other.post<{ reauthenticatedUntil: string }>(
      '/api/auth/reauth',
      { password: TEST_PASSWORD, otp: code(secret, 1) },
      { token: signedIn.body.accessToken },
    );
    expect(reauth.status).toBe(200);
    expect(Date.parse(reauth.body.reauthenticatedUntil) - Date.now()).toBeLessThanOrEqual(300_000);
    expect((await other.post('/api/auth/mfa/totp/disable', { code: recovery[0] }, { token: signedIn.body.accessToken })).status).toBe(204);
    expect(await eventTypes(user.id)).toContain('reauthenticated');
  });
});

describe('changing the password', () => {
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

  it('needs a fresh re-authentication, then signs every other session out', async () => {
    const user = await make.user();
    const laptop = httpClient(app, { token: user.accessToken });
    const phone = await httpClient(app).post<{ accessToken: string }>('/api/auth/login', { email: user.email, password: TEST_PASSWORD });
    const fresh = 'Brand-new-lighthouse-42';

    const refused = await laptop.post<ErrorBody>('/api/auth/password', { password: fresh });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('reauth_required');

    expect((await laptop.post('/api/auth/reauth', { password: TEST_PASSWORD })).status).toBe(200);
    const weak = await laptop.post<ErrorBody>('/api/auth/password', { password: 'password1' });
    expect(weak.body.error.code).toBe('weak_password');
    expect((await laptop.post('/api/auth/password', { password: fresh })).status).toBe(204);

    // This session goes on; the phone's ended; only the new password signs in.
    expect((await laptop.get('/api/auth/me')).status).toBe(200);
    expect((await httpClient(app, { token: phone.body.accessToken }).get('/api/auth/me')).status).toBe(401);
    expect((await httpClient(app).post('/api/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(401);
    expect((await httpClient(app).post('/api/auth/login', { email: user.email, password: fresh })).status).toBe(200);
  });
});

describe('anomaly detection: new devices and the security log', () => {
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

  it('records a sign-in from a new device (not from a known one) and mails the owner a notice', async () => {
    const user = await make.user();
    const laptop = httpClient(app, { jar: true });
    expect((await laptop.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(200);
    expect(laptop.cookies.get('flux_device')).toEqual(expect.any(String));
    // The same browser again: known.
    expect((await laptop.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(200);
    const newDevice = async () =>
      (await db.selectFrom('auth.security_events').select('type').where('user_id', '=', user.id).where('type', '=', 'new_device').execute())
        .length;
    expect(await newDevice()).toBe(0);

    const phone = httpClient(app, { jar: true, headers: { 'user-agent': 'Phone/1' } });
    expect((await phone.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(200);
    expect(await newDevice()).toBe(1);
    const mail = async () =>
      (await httpClient(app).get<Page<OutboxMail>>(`/api/auth/dev/outbox?to=${encodeURIComponent(user.email)}`)).body.items.find((m) =>
        m.subject.includes('New sign-in'),
      );
    expect(await eventually(mail, { what: 'the new-device notice' })).toMatchObject({ text: expect.stringContaining('Phone/1') });

    // A cookie-less script is a new device at every sign-in: each is recorded, but the owner gets one notice an hour.
    for (let i = 0; i < 3; i++)
      expect((await httpClient(app).post('/api/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(200);
    expect(await newDevice()).toBe(4);
    // The mail is sent after answering: wait for those tasks before counting.
    await app.background.drain();
    const notices = async () =>
      (await httpClient(app).get<Page<OutboxMail>>(`/api/auth/dev/outbox?to=${encodeURIComponent(user.email)}`)).body.items.filter((m) =>
        m.subject.includes('New sign-in'),
      );
    expect(await notices()).toHaveLength(1);
  });

  it('records a request burst from one session once as a security event', async () => {
    const bursty = await authApp({ AUTH_REQUEST_BURST_PER_MINUTE: '5' });
    try {
      const user = await make.user();
      const http = httpClient(bursty, { token: user.accessToken });
      for (let i = 0; i < 8; i++) expect((await http.get('/api/auth/me')).status).toBe(200);
      const bursts = await db
        .selectFrom('auth.security_events')
        .select('metadata')
        .where('user_id', '=', user.id)
        .where('type', '=', 'anomaly_request_burst')
        .execute();
      expect(bursts).toHaveLength(1);
    } finally {
      await bursty.close();
    }
  });

  it('filters the log by type, user (admins only) and time, pages by keyset, and answers 400 to bad filters', async () => {
    const user = await make.user();
    const admin = await make.user();
    await db.updateTable('auth.users').set({ is_admin: true }).where('id', '=', admin.id).execute();
    const http = httpClient(app);
    for (let i = 0; i < 3; i++) await http.post('/api/auth/login', { email: user.email, password: `wrong-${i}-password` });
    await http.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD });

    const failed = await http.get<Page<SecurityEvent>>('/api/auth/security-events', {
      token: user.accessToken,
      query: { type: 'login_failed', limit: 2 },
    });
    expect(failed.status).toBe(200);
    expect(failed.body.items.map((e) => e.type)).toEqual(['login_failed', 'login_failed']);
    const rest = await http.get<Page<SecurityEvent>>('/api/auth/security-events', {
      token: user.accessToken,
      query: { type: 'login_failed', cursor: failed.body.nextCursor ?? undefined },
    });
    expect(rest.body.items.map((e) => e.type)).toEqual(['login_failed']);
    expect(rest.body.nextCursor).toBeNull();

    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await http.get<Page<SecurityEvent>>('/api/auth/security-events', { token: user.accessToken, query: { since: future } });
    expect(none.body.items).toEqual([]);
    const before = await http.get<Page<SecurityEvent>>('/api/auth/security-events', { token: user.accessToken, query: { until: future } });
    expect(before.body.items.length).toBeGreaterThanOrEqual(4);

    // A user cannot read another's log; a platform admin filters by user.
    expect((await http.get('/api/auth/security-events', { token: user.accessToken, query: { userId: admin.id } })).status).toBe(404);
    const byUser = await http.get<Page<SecurityEvent>>('/api/auth/security-events', {
      token: admin.accessToken,
      query: { userId: user.id, type: 'login_succeeded' },
    });
    expect(byUser.body.items).toHaveLength(1);
    expect(byUser.body.items[0]?.userId).toBe(user.id);

    for (const query of [{ type: 'nonsense' }, { since: 'yesterday' }, { userId: 'not-a-uuid' }, { since: future, until: future }]) {
      const bad = await http.get<ErrorBody>('/api/auth/security-events', { token: admin.accessToken, query });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('validation_error');
    }
  });
});

describe('the dev outbox answers only callers on this machine', () => {
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

  it('refuses a caller whose real address is not loopback, whatever X-Forwarded-For it writes', async () => {
    const user = await make.user();
    const url = `/api/auth/dev/outbox?to=${encodeURIComponent(user.email)}`;
    expect((await app.inject({ url, remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    const outsider = await app.inject({ url, remoteAddress: '192.0.2.77' });
    expect(outsider.statusCode).toBe(404);
    expect(outsider.json()).toMatchObject({ error: { code: 'not_found' } });
    // An untrusted socket cannot pick its address with the header; only the trusted proxy's is read.
    const forged = await app.inject({ url, remoteAddress: '192.0.2.77', headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(forged.statusCode).toBe(404);
    const throughProxy = await app.inject({ url, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '192.0.2.77' } });
    expect(throughProxy.statusCode).toBe(404);
  });
});
