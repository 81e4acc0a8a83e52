import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '@flux/server-kit';
import type { AccessTokenClaims } from '@flux/shared';
import { SignJWT } from 'jose';
import type { SigningKeys } from './keys.js';

export type AccessTokenSigner = (claims: AccessTokenClaims) => Promise<string>;

export function createAccessTokenSigner(keys: SigningKeys, ttlSeconds: number): AccessTokenSigner {
  return ({ sub, sid, name, email }) =>
    new SignJWT({ sid, name, email })
      .setProtectedHeader({ alg: 'EdDSA', kid: keys.kid, typ: 'JWT' })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(keys.privateKey);
}
