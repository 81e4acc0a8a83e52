import { randomUUID } from 'node:crypto';
import { type App, EventBus } from '@flux/server-kit';
import type { ErrorBody, EventMap, MeResponse, OutboxMail, Page, SecurityEvent } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, type TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import { authApp, signup } from './helpers.js';

const tokenIn = (text: string) => /token=([A-Za-z0-9_-]+)/.exec(text)?.[1];

describe('changing the email of a signed-in account', () => {
  let app: App;
  beforeAll(async () => {
    app = await authApp();
  });
  afterAll(() => app.close());

  const outbox = async (to: string) =>
    (await httpClient(app).get<Page<OutboxMail>>(`/api/auth/dev/outbox?to=${encodeURIComponent(to)}`)).body.items;
  /** The newest mail to `to` whose subject matches, once it has been sent (mail goes out after answering). */
  const mailTo = (to: string, subject: RegExp) =>
    eventually(
      async () => {
        const mail = (await outbox(to)).find((m) => subject.test(m.subject));
        expect(mail).toBeDefined();
        return mail!;
      },
      { what: `a mail to ${to} about ${subject}` },
    );
  const me = async (user: TestUser) => (await httpClient(app, { token: user.accessToken }).get<MeResponse>('/api/auth/me')).body.user;
  const reauth = async (user: TestUser) =>
    expect((await httpClient(app, { token: user.accessToken }).post('/api/auth/reauth', { password: TEST_PASSWORD })).status).toBe(200);
  const newAddress = () => `moved-${randomUUID()}@example.com`;

  it('refuses without a fresh re-authentication (401 reauth_required) and mails nobody', async () => {
    const user = await signup(httpClient(app));
    const email = newAddress();
    const refused = await httpClient(app, { token: user.accessToken }).post<ErrorBody>('/api/auth/email', { email });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('reauth_required');
    expect(await outbox(email)).toEqual([]);
    expect((await me(user)).email).toBe(user.email);
  });

  it('changes the email only when the link mailed to the new address is opened, after notifying the old one; publishes user.updated', async () => {
    const { Redis } = await import('ioredis');
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const redis = new Redis(redisUrl);
    const bus = new EventBus(redis, redisUrl, process.env.REDIS_PREFIX ?? 'flux:', app.log);
    const updates: EventMap['user.updated'][] = [];
    await bus.subscribe('user.updated', (payload) => void updates.push(payload));
    try {
      const user = await signup(httpClient(app));
      const http = httpClient(app, { token: user.accessToken });
      await reauth(user);
      const email = newAddress();
      expect((await http.post('/api/auth/email', { email: email.toUpperCase() })).status).toBe(202);

      const notice = await mailTo(user.email, /about to change/);
      expect(notice.text).toContain(email);
      const link = await mailTo(email, /Confirm your new email/);
      // Asked, not yet proven: the account keeps its address and nothing is published.
      expect((await me(user)).email).toBe(user.email);
      expect(updates.filter((u) => u.userId === user.id)).toEqual([]);

      const confirmed = await httpClient(app).post<MeResponse>('/api/auth/email/verify', { token: tokenIn(link.text) });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.user).toMatchObject({ id: user.id, email, emailVerified: true });
      expect((await me(user)).email).toBe(email);
      // Signing in takes the new address, no longer the old one.
      expect((await httpClient(app).post('/api/auth/login', { email, password: TEST_PASSWORD })).status).toBe(200);
      expect((await httpClient(app).post('/api/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(401);
      await eventually(
        () => {
          expect(updates.filter((u) => u.userId === user.id)).toEqual([{ userId: user.id, email, name: user.name }]);
          return true;
        },
        { what: 'user.updated with the new email' },
      );
      // Both steps are in the account's security log.
      const log = await http.get<Page<SecurityEvent>>('/api/auth/security-events');
      expect(log.body.items.map((e) => e.type)).toEqual(expect.arrayContaining(['email_change_requested', 'email_changed']));
      expect(log.body.items.find((e) => e.type === 'email_changed')?.metadata).toMatchObject({ from: user.email, to: email });
      // The link works once.
      const again = await httpClient(app).post<ErrorBody>('/api/auth/email/verify', { token: tokenIn(link.text) });
      expect(again.body.error.code).toBe('invalid_email_token');
    } finally {
      await bus.close();
      await redis.quit();
    }
  });

  it('answers 409 email_taken when the new address has an account by the time the link is opened, and changes nothing', async () => {
    const user = await signup(httpClient(app));
    await reauth(user);
    const email = newAddress();
    expect((await httpClient(app, { token: user.accessToken }).post('/api/auth/email', { email })).status).toBe(202);
    const link = await mailTo(email, /Confirm your new email/);
    // Someone signs up with that address before the link is opened.
    expect((await httpClient(app).post('/api/auth/signup', { email, password: TEST_PASSWORD, name: 'Taker' })).status).toBe(201);
    const refused = await httpClient(app).post<ErrorBody>('/api/auth/email/verify', { token: tokenIn(link.text) });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('email_taken');
    expect((await me(user)).email).toBe(user.email);
  });
});
