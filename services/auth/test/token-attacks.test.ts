import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, createAccessTokenVerifier, remoteJwks } from '@flux/server-kit';
import { createPrivateKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import type { ErrorBody } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startAuth, type AuthHarness, type TestUser } from '../../../test/support/auth.js';
import { httpClient } from '../../../test/support/http.js';
import type { PublicJwk } from '../src/tokens/keys.js';

const pem = () => generateKeyPairSync('ed25519');
type Jwks = { keys: PublicJwk[] };

describe('access tokens under attack', () => {
  let auth: AuthHarness;
  let user: TestUser;
  beforeAll(async () => {
    auth = await startAuth();
    user = await auth.signup('Target');
  });
  afterAll(() => auth.close());

  const me = (token: string) => httpClient(auth.url).get<ErrorBody>('/api/auth/me', { token });
  const claims = () => decodeJwt(user.accessToken);

  it('carries the contract claims and lives 15 minutes', () => {
    const c = claims();
    expect(c).toMatchObject({ sub: user.id, iss: 'flux-auth', aud: 'flux', name: user.name, email: user.email, sid: expect.any(String) });
    expect(c.exp! - c.iat!).toBe(900);
  });

  it('refuses alg:none, HMAC with the public key, tampered and foreign-signed tokens', async () => {
    const c = claims();
    const none = new UnsecuredJWT({ sid: c.sid, name: 'x', email: 'x' })
      .setSubject(user.id)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setExpirationTime('5m')
      .encode();
    const jwks = (await httpClient(auth.url).get<Jwks>('/api/auth/.well-known/jwks.json')).body;
    const hmac = await new SignJWT({ sid: c.sid })
      .setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0]!.kid })
      .setSubject(user.id)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(jwks.keys[0]!.x));
    const [header, payload, signature] = user.accessToken.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...c, sub: randomUUID() })).toString('base64url');
    const tampered = `${header}.${forgedPayload}.${signature}`;
    const foreign = await new SignJWT({ sid: c.sid, name: 'x', email: 'x' })
      .setProtectedHeader({ alg: 'EdDSA', kid: jwks.keys[0]!.kid })
      .setSubject(user.id)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setExpirationTime('5m')
      .sign(pem().privateKey);
    for (const token of [none, hmac, tampered, foreign, `${header}.${payload}.`, 'garbage']) {
      const answer = await me(token);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('invalid_token');
    }
  });

  it('refuses expired tokens and tokens for another audience or issuer, even when properly signed', async () => {
    const key = createPrivateKey(loadConfig({ ...process.env }).jwtPrivateKey);
    const kid = (await httpClient(auth.url).get<Jwks>('/api/auth/.well-known/jwks.json')).body.keys[0]!.kid;
    const sign = (mutate: (jwt: SignJWT) => SignJWT) =>
      mutate(new SignJWT({ sid: claims().sid, name: 'x', email: 'x' }).setProtectedHeader({ alg: 'EdDSA', kid }).setSubject(user.id)).sign(
        key,
      );
    const good = await sign((j) => j.setIssuer(ACCESS_TOKEN_ISSUER).setAudience(ACCESS_TOKEN_AUDIENCE).setExpirationTime('5m'));
    expect((await me(good)).status).toBe(200); // the control: same key, right claims
    const expired = await sign((j) =>
      j
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt(Math.floor(Date.now() / 1000) - 1000)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 100),
    );
    const audience = await sign((j) => j.setIssuer(ACCESS_TOKEN_ISSUER).setAudience('other').setExpirationTime('5m'));
    const issuer = await sign((j) => j.setIssuer('someone-else').setAudience(ACCESS_TOKEN_AUDIENCE).setExpirationTime('5m'));
    for (const token of [expired, audience, issuer]) expect((await me(token)).status).toBe(401);
  });

  it('keeps a retired key published so its tokens verify until they expire', async () => {
    const oldKey = pem();
    const newKey = pem();
    const exportPem = (k: ReturnType<typeof pem>, part: 'privateKey' | 'publicKey') =>
      part === 'privateKey'
        ? k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
        : k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const before = await startAuth({ JWT_PRIVATE_KEY: exportPem(oldKey, 'privateKey') });
    const after = await startAuth({
      JWT_PRIVATE_KEY: exportPem(newKey, 'privateKey'),
      JWT_PREVIOUS_PUBLIC_KEYS: exportPem(oldKey, 'publicKey'),
    });
    try {
      const old = await before.signup();
      const fresh = await after.signup();
      const jwks = (await httpClient(after.url).get<Jwks>('/api/auth/.well-known/jwks.json')).body;
      expect(jwks.keys).toHaveLength(2);
      const verify = createAccessTokenVerifier(remoteJwks(after.url));
      expect((await verify(old.accessToken)).sub).toBe(old.id);
      expect((await verify(fresh.accessToken)).sub).toBe(fresh.id);
      // Without the retired key published, the old token fails.
      await expect(createAccessTokenVerifier(remoteJwks(auth.url))(old.accessToken)).rejects.toMatchObject({ status: 401 });
    } finally {
      await before.close();
      await after.close();
    }
  });
});
