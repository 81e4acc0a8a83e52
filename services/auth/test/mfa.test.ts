import type { App } from '@flux/server-kit';
import type { ErrorBody, TotpSetup } from '@flux/shared';
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../../test/support/auth.js';
import { httpClient } from '../../../test/support/http.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

/** The code of the TOTP step `offset` steps from now (codes are single-use, so tests need distinct ones). */
const code = (secret: string, offset = 0) => authenticator.clone({ epoch: Date.now() + offset * 30_000 }).generate(secret);

describe('TOTP MFA', () => {
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

  it('sets up, enables with recovery codes, asks for the code at login, and disables', async () => {
    const user = await make.user();
    const http = httpClient(app);
    expect((await http.post('/api/auth/reauth', { password: TEST_PASSWORD }, { token: user.accessToken })).status).toBe(200);
    const setup = await http.post<TotpSetup>('/api/auth/mfa/totp/setup', undefined, { token: user.accessToken });
    expect(setup.status).toBe(200);
    expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/FluxStudio:/);
    expect(setup.body.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    const secret: string = setup.body.secret;
    // The seed is encrypted at rest.
    const stored = await db.selectFrom('auth.users').select('mfa_pending_secret').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(stored.mfa_pending_secret).not.toContain(secret);

    expect((await http.post<ErrorBody>('/api/auth/mfa/totp/enable', { code: '000000' }, { token: user.accessToken })).body.error.code).toBe(
      'invalid_otp',
    );
    // Enable with the next step's code and sign in with the previous step's: distinct codes even if
    // the clock crosses a 30 s boundary in between (a code, once used, is refused).
    const enabled = await http.post<{ recoveryCodes: string[] }>(
      '/api/auth/mfa/totp/enable',
      { code: code(secret, 1) },
      { token: user.accessToken },
    );
    expect(enabled.status).toBe(200);
    const recovery: string[] = enabled.body.recoveryCodes;
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);

    const noOtp = await http.post<ErrorBody>('/api/auth/login', { email: user.email, password: TEST_PASSWORD });
    expect(noOtp.status).toBe(401);
    expect(noOtp.body.error.code).toBe('mfa_required');
    // A wrong password never reveals that MFA is on.
    expect((await http.post<ErrorBody>('/api/auth/login', { email: user.email, password: 'wrong-password-here' })).body.error.code).toBe(
      'invalid_credentials',
    );
    expect(
      (await http.post<ErrorBody>('/api/auth/login', { email: user.email, password: TEST_PASSWORD, otp: '123456' })).body.error.code,
    ).toBe('invalid_otp');

    const previous = code(secret, -1);
    expect((await http.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD, otp: previous })).status).toBe(200);
    // The same code cannot be replayed.
    expect((await http.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD, otp: previous })).status).toBe(401);

    // A recovery code works once.
    expect((await http.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD, otp: recovery[0] })).status).toBe(200);
    expect((await http.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD, otp: recovery[0] })).status).toBe(401);

    // Turning MFA off needs a re-authentication with the password and, now that it is on, a code.
    expect((await http.post('/api/auth/reauth', { password: TEST_PASSWORD, otp: code(secret) }, { token: user.accessToken })).status).toBe(
      200,
    );
    expect((await http.post('/api/auth/mfa/totp/disable', { code: '999999' }, { token: user.accessToken })).status).toBe(401);
    expect((await http.post('/api/auth/mfa/totp/disable', { code: recovery[1] }, { token: user.accessToken })).status).toBe(204);
    expect((await http.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(200);

    const types = (await db.selectFrom('auth.security_events').select('type').where('user_id', '=', user.id).execute()).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['mfa_setup', 'mfa_enabled', 'mfa_failed', 'mfa_recovery_code_used', 'mfa_disabled']));
  });
});
