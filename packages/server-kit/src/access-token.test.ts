import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { createLocalJWKSet, exportJWK, type JWK, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, createAccessTokenVerifier, remoteJwks } from './access-token.js';

const ed = generateKeyPairSync('ed25519');
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const foreign = generateKeyPairSync('ed25519');
const jwk = async (key: KeyObject, kid: string, alg: string): Promise<JWK> => ({ ...(await exportJWK(key)), kid, alg, use: 'sig' });
const keySet = createLocalJWKSet({ keys: [await jwk(ed.publicKey, 'ed', 'EdDSA'), await jwk(ec.publicKey, 'ec', 'ES256')] });

const claims = { sid: randomUUID(), name: 'Ada', email: 'ada@example.com' };
const sub = randomUUID();
function token({
  key = ed.privateKey,
  header = { alg: 'EdDSA', kid: 'ed' } as Record<string, unknown>,
  issuer = ACCESS_TOKEN_ISSUER,
  audience = ACCESS_TOKEN_AUDIENCE,
  expires = '15m' as string | number,
} = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', ...header })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expires)
    .sign(key);
}
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signed = (header: Record<string, unknown>, payload: string) =>
  `${b64(header)}.${payload}.${sign(null, Buffer.from(`${b64(header)}.${payload}`), ed.privateKey).toString('base64url')}`;

afterEach(() => {
  vi.useRealTimers();
});

describe('createAccessTokenVerifier', () => {
  it('returns the claims of EdDSA and ES256 tokens, the same again from its cache', async () => {
    const verify = createAccessTokenVerifier(keySet);
    const edToken = await token();
    const expected = { sub, ...claims };
    expect(await verify(edToken)).toEqual(expected);
    expect(await verify(edToken)).toEqual(expected);
    expect(await verify(await token({ key: ec.privateKey, header: { alg: 'ES256', kid: 'ec' } }))).toEqual(expected);
  });

  it('refuses alg:none, HMAC with the public key, tampered, foreign-signed, critical-header and re-spelt tokens', async () => {
    const verify = createAccessTokenVerifier(keySet);
    const good = await token();
    // Verified first, so its protected header is already checked and remembered: each header spelling is still checked on its own.
    expect((await verify(good)).sub).toBe(sub);
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'ed' })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(sub)
      .setExpirationTime('15m')
      .sign(Buffer.from(JSON.stringify(await exportJWK(ed.publicKey))));
    // The last base64url character of a 64-byte signature carries 4 unused bits: another spelling of the same bytes.
    const respelt = `${signature.slice(0, -1)}${String.fromCharCode(signature.charCodeAt(signature.length - 1) + 1)}`;
    const refused = [
      `${b64({ alg: 'none' })}.${payload}.`,
      hmac,
      `${header}.${b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: randomUUID() })}.${signature}`,
      await token({ key: foreign.privateKey }),
      // jose will not sign a header with an unknown critical extension: signed by hand.
      signed({ alg: 'EdDSA', kid: 'ed', crit: ['x-flux'], 'x-flux': true }, payload),
      `${header}.${payload}.${respelt}`,
      `${header}.${payload}`,
      'not a token',
    ];
    for (const bad of refused) await expect(verify(bad), bad).rejects.toMatchObject({ status: 401 });
    // The good one still verifies after all that.
    expect((await verify(good)).sub).toBe(sub);
  });

  it('refuses properly signed tokens for another issuer or audience, or already expired', async () => {
    const verify = createAccessTokenVerifier(keySet);
    for (const bad of [
      await token({ issuer: 'someone-else' }),
      await token({ audience: 'another-app' }),
      await token({ expires: Math.floor(Date.now() / 1000) - 1 }),
    ])
      await expect(verify(bad)).rejects.toMatchObject({ status: 401 });
  });

  it('stops accepting a cached token once it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verify = createAccessTokenVerifier(keySet);
    const shortLived = await token({ expires: '60s' });
    expect((await verify(shortLived)).sub).toBe(sub);
    vi.setSystemTime(Date.now() + 61_000);
    await expect(verify(shortLived)).rejects.toMatchObject({ status: 401 });
  });

  it('answers 503 when the key set cannot be fetched (the token may be fine)', async () => {
    const verify = createAccessTokenVerifier(remoteJwks('http://127.0.0.1:9'));
    await expect(verify(await token())).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
  });
});
