import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import type { ErrorBody, MeResponse, OutboxMail, Page } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { authApp, signup } from './helpers.js';

const tokenIn = (text: string) => /token=([A-Za-z0-9_-]+)/.exec(text)?.[1];

describe('email verification, password reset and the dev outbox', () => {
  let app: App;
  beforeAll(async () => {
    app = await authApp();
  });
  afterAll(() => app.close());

  const outbox = async (to: string) =>
    (await httpClient(app).get<Page<OutboxMail>>(`/api/auth/dev/outbox?to=${encodeURIComponent(to)}`)).body.items;

  it('mails a verification link at signup that verifies the email once', async () => {
    const user = await signup(httpClient(app));
    const [mail] = await outbox(user.email);
    expect(mail).toMatchObject({ to: user.email, subject: expect.stringContaining('Confirm'), createdAt: expect.any(String) });
    const token = tokenIn(mail!.text)!;
    const http = httpClient(app);
    const verified = await http.post<MeResponse>('/api/auth/email/verify', { token });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ id: user.id, emailVerified: true });
    expect((await http.get<MeResponse>('/api/auth/me', { token: user.accessToken })).body.user.emailVerified).toBe(true);
    const again = await http.post<ErrorBody>('/api/auth/email/verify', { token });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('invalid_email_token');
  });

  it('resets a password with a single-use token and revokes every session', async () => {
    const http = httpClient(app);
    const user = await signup(http);
    expect((await http.post('/api/auth/password/forgot', { email: `  ${user.email.toUpperCase()} ` })).status).toBe(202);
    await eventually(
      async () => {
        expect(await outbox(user.email)).toHaveLength(2);
        return true;
      },
      { what: 'the reset mail' },
    );
    const [reset] = await outbox(user.email); // newest first
    expect(reset!.subject).toContain('Reset');
    const token = tokenIn(reset!.text)!;

    const weak = await http.post<ErrorBody>('/api/auth/password/reset', { token, password: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toMatchObject({ code: 'weak_password', details: { field: 'password' } });

    const newPassword = `New-${randomUUID()}-pass`;
    expect((await http.post('/api/auth/password/reset', { token, password: newPassword })).status).toBe(202);
    expect((await http.post<ErrorBody>('/api/auth/password/reset', { token, password: newPassword })).body.error.code).toBe(
      'invalid_email_token',
    );
    expect((await http.get('/api/auth/me', { token: user.accessToken })).status).toBe(401);
    expect((await http.post('/api/auth/refresh', { refreshToken: user.refreshToken })).status).toBe(401);
    expect((await http.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(401);
    expect((await http.post('/api/auth/login', { email: user.email, password: newPassword })).status).toBe(200);
  });

  it('sends nothing for an unknown email', async () => {
    const email = `ghost-${randomUUID()}@example.com`;
    expect((await httpClient(app).post('/api/auth/password/forgot', { email })).status).toBe(202);
    expect(await outbox(email)).toEqual([]);
  });

  it('has no dev outbox in production', async () => {
    const base = loadConfig({ ...process.env });
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'production',
      SERVICE_KEY_AUTH: base.serviceKey,
      COOKIE_SECRET: base.cookieSecret,
      JWT_PRIVATE_KEY: base.jwtPrivateKey,
      SMTP_URL: 'smtp://127.0.0.1:2525',
    });
    const production = await buildApp(config, { logger: false });
    try {
      const response = await production.inject({ url: '/api/auth/dev/outbox?to=a@example.com' });
      expect(response.statusCode).toBe(404);
    } finally {
      await production.close();
    }
    expect(() =>
      loadConfig({
        ...process.env,
        NODE_ENV: 'production',
        SERVICE_KEY_AUTH: base.serviceKey,
        COOKIE_SECRET: 'y',
        JWT_PRIVATE_KEY: base.jwtPrivateKey,
      }),
    ).toThrow(/SMTP_URL/);
  });
});
