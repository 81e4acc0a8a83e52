import { randomUUID } from 'node:crypto';
import { createAccessTokenVerifier, remoteJwks } from '@flux/server-kit';
import type { AuthTokens, ErrorBody, MeResponse } from '@flux/shared';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHarness, startAuth, TEST_PASSWORD } from '../../../test/support/auth.js';
import { type HttpClient, httpClient } from '../../../test/support/http.js';
import type { PublicJwk } from '../src/tokens/keys.js';
import { factories } from './factories.js';
import { testDatabase } from './helpers.js';

/** A listening app: the JWKS is fetched over HTTP here, as other services fetch it. */
describe('signup, login, refresh, me', () => {
  let auth: AuthHarness;
  let http: HttpClient;
  const { db } = testDatabase();
  const make = factories(db);
  beforeAll(async () => {
    auth = await startAuth();
    http = httpClient(auth.url);
  });
  afterAll(async () => {
    await auth.close();
    await db.destroy();
  });

  it('signs up with a normalised email and answers the contract shape', async () => {
    const email = `New.User-${randomUUID()}@Example.COM`;
    const response = await http.post<AuthTokens>('/api/auth/signup', { email: `  ${email} `.trim(), password: TEST_PASSWORD, name: 'Ada' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      user: {
        id: expect.any(String),
        email: email.toLowerCase(),
        name: 'Ada',
        emailVerified: false,
        isAdmin: false,
        createdAt: expect.any(String),
      },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 900,
    });
    const again = await http.post<ErrorBody>('/api/auth/signup', { email: email.toUpperCase(), password: TEST_PASSWORD, name: 'Ada' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');
  });

  it('refuses short or guessable passwords with weak_password naming the field', async () => {
    for (const password of ['short1!', 'password1234', 'qwertyuiop']) {
      const response = await http.post<ErrorBody>('/api/auth/signup', { email: `${randomUUID()}@example.com`, password, name: 'Bob' });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'weak_password', details: { field: 'password' } });
    }
  });

  it('rejects bad input with a validation envelope, never a 500', async () => {
    const response = await http.post<ErrorBody>('/api/auth/signup', { email: 'not-an-email', password: TEST_PASSWORD, name: 'x' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'validation_error', details: { field: 'email' } });
  });

  it('logs in, and answers a wrong password and an unknown email the same way', async () => {
    const user = await make.user();
    const ok = await http.post<AuthTokens>('/api/auth/login', { email: user.email.toUpperCase(), password: TEST_PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(user.id);

    const wrong = await http.post<ErrorBody>('/api/auth/login', { email: user.email, password: 'not-the-password-at-all' });
    const unknown = await http.post<ErrorBody>('/api/auth/login', {
      email: `${randomUUID()}@nowhere.example`,
      password: 'not-the-password-at-all',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  it('issues EdDSA access tokens with a kid that verify against the published JWKS', async () => {
    const user = await auth.signup('Grace');
    const jwks = (await http.get<{ keys: PublicJwk[] }>('/api/auth/.well-known/jwks.json')).body;
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: expect.any(String) });
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    expect(decodeProtectedHeader(user.accessToken)).toMatchObject({ alg: 'EdDSA', kid: jwks.keys[0]!.kid });

    const verify = createAccessTokenVerifier(remoteJwks(auth.url));
    const claims = await verify(user.accessToken);
    expect(claims).toMatchObject({ sub: user.id, name: 'Grace', email: user.email, sid: expect.any(String) });
  });

  it('GET /me needs a valid bearer token', async () => {
    const user = await auth.signup('Me');
    const me = await http.get<MeResponse>('/api/auth/me', { token: user.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: user.id, email: user.email });
    const none = await http.get('/api/auth/me');
    expect(none.status).toBe(401);
    const tampered = await http.get<ErrorBody>('/api/auth/me', { token: `${user.accessToken.slice(0, -4)}AAAA` });
    expect(tampered.status).toBe(401);
    expect(tampered.body.error.code).toBe('invalid_token');
  });

  it('rotates refresh tokens: the new pair works, the old token is spent', async () => {
    const user = await make.user();
    const first = await http.post<AuthTokens>('/api/auth/refresh', { refreshToken: user.refreshToken });
    expect(first.status).toBe(200);
    const pair = first.body;
    expect(pair.refreshToken).not.toBe(user.refreshToken);
    expect(pair.user.id).toBe(user.id);
    const second = await http.post('/api/auth/refresh', { refreshToken: pair.refreshToken });
    expect(second.status).toBe(200);

    const unknown = await http.post<ErrorBody>('/api/auth/refresh', { refreshToken: 'nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_refresh_token');
  });
});
