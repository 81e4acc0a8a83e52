import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, createLocalJWKSet, type JWK } from 'jose';

/** What the JWKS publishes of a key: its public part only. */
export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  kid: string;
  alg: string;
  use: string;
}

export interface SigningKeys {
  kid: string;
  privateKey: KeyObject;
  /** The current public key first, then retired ones still published until their tokens expire. */
  jwks: { keys: PublicJwk[] };
}

async function publicJwk(key: KeyObject): Promise<PublicJwk> {
  const jwk = key.export({ format: 'jwk' }) as JWK;
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x) throw new Error('JWT keys must be Ed25519');
  // RFC 7638 thumbprint as kid: stable for a key, different for the next one.
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: 'EdDSA', use: 'sig' };
}

export async function loadSigningKeys(privatePem: string, previousPublicPems: string[] = []): Promise<SigningKeys> {
  const privateKey = createPrivateKey(privatePem);
  const current = await publicJwk(createPublicKey(privateKey));
  const previous = await Promise.all(previousPublicPems.map((pem) => publicJwk(createPublicKey(pem))));
  const keys = [current, ...previous.filter((jwk) => jwk.kid !== current.kid)];
  return { kid: current.kid, privateKey, jwks: { keys } };
}

export const localJwks = (keys: SigningKeys) => createLocalJWKSet(keys.jwks);
