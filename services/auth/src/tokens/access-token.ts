import { sign } from 'node:crypto';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@flux/server-kit';
import type { AccessTokenClaims } from '@flux/shared';
import type { SigningKeys } from './keys.js';

export type AccessTokenSigner = (claims: AccessTokenClaims) => Promise<string>;

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs access tokens (a compact JWS, EdDSA over Ed25519) with node:crypto on this thread: about
 * 30 µs. jose's WebCrypto path runs on the libuv thread pool, where a sign-in's token waited in
 * line behind the argon2 verifications of every sign-in in flight.
 */
export function createAccessTokenSigner(keys: SigningKeys, ttlSeconds: number): AccessTokenSigner {
  const header = base64url({ alg: 'EdDSA', kid: keys.kid, typ: 'JWT' });
  return async ({ sub, sid, name, email }) => {
    const iat = Math.floor(Date.now() / 1000);
    const payload = base64url({ sid, name, email, iss: ACCESS_TOKEN_ISSUER, aud: ACCESS_TOKEN_AUDIENCE, sub, iat, exp: iat + ttlSeconds });
    const signingInput = `${header}.${payload}`;
    return `${signingInput}.${sign(null, Buffer.from(signingInput), keys.privateKey).toString('base64url')}`;
  };
}
