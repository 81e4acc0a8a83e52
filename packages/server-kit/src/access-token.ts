import { AppError, type AccessTokenClaims, type Caller } from '@flux/shared';
import type { FastifyRequest } from 'fastify';
import { createPublicKey, KeyObject, verify as verifySignature } from 'node:crypto';
import { createRemoteJWKSet, type CompactJWSHeaderParameters, type JWK, type JWTVerifyGetKey } from 'jose';

export const ACCESS_TOKEN_ISSUER = 'flux-auth';
export const ACCESS_TOKEN_AUDIENCE = 'flux';
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'];

// Defined in @flux/shared (the socket's SocketData carries it too); services import it from here.
export type { Caller };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate`; only read it in routes that ran it. */
    caller: Caller;
  }
}

/** Auth's JWKS as seen by another service, cached and refreshed when an unknown `kid` shows up. */
export const remoteJwks = (authUrl: string): JWTVerifyGetKey =>
  createRemoteJWKSet(new URL('/api/auth/.well-known/jwks.json', authUrl), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 });

/** jose's errors for a JWKS fetch that failed (timeout, network, non-200, not JSON), as opposed to a bad token. */
function keySetUnavailable(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  if (code === 'ERR_JWKS_TIMEOUT') return true;
  if (code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test(message ?? '')) return true;
  return err instanceof TypeError && message === 'fetch failed';
}

export type AccessTokenVerifier = (token: string) => Promise<AccessTokenClaims>;

export interface AccessTokenVerifierOptions {
  /** Verified tokens remembered until their `exp` (oldest forgotten first beyond this). */
  maxCached?: number;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Distinct protected headers remembered (one per signing key in use; a forged header costs a parse). */
const MAX_HEADERS = 16;
/** node:crypto's algorithm and signature encoding per JWS `alg` (ES256 signatures are r||s, not DER). */
const SIGNATURE = {
  EdDSA: { digest: null, dsaEncoding: undefined },
  ES256: { digest: 'sha256', dsaEncoding: 'ieee-p1363' },
} as const satisfies Record<string, { digest: string | null; dsaEncoding: 'ieee-p1363' | undefined }>;

const json = (part: string): Record<string, unknown> => {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString());
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
};

/**
 * Verifies an access token's signature (asymmetric only: no `alg:none`, no HMAC), issuer, audience
 * and expiry. Verified tokens are remembered until `exp`, so a client's next request costs a map
 * lookup instead of a signature check (revocation is each service's own check after this, every
 * time). The signature is checked with node:crypto on this thread: jose's WebCrypto path hops to
 * the thread pool for each token, twice the latency and a third less throughput per core. jose
 * still fetches, caches and selects auth's keys (`remoteJwks`), by `kid` and `alg`.
 */
export function createAccessTokenVerifier(
  keys: JWTVerifyGetKey,
  { maxCached = 50_000 }: AccessTokenVerifierOptions = {},
): AccessTokenVerifier {
  const verified = new Map<string, { claims: AccessTokenClaims; expiresAt: number }>();
  const keyObjects = new WeakMap<object, KeyObject>();
  // jose resolves a key per token (its own cache); its conversion to node:crypto's form is cached here.
  const keyObject = (key: Awaited<ReturnType<JWTVerifyGetKey>>): KeyObject => {
    if (key instanceof KeyObject) return key;
    if (key instanceof Uint8Array) throw new Error('symmetric keys are refused');
    const known = keyObjects.get(key);
    if (known) return known;
    const object = key instanceof CryptoKey ? KeyObject.from(key) : createPublicKey({ key: key as JWK, format: 'jwk' });
    keyObjects.set(key, object);
    return object;
  };

  // Every token of one signing key has the same protected header: it is parsed and checked once.
  const headers = new Map<string, CompactJWSHeaderParameters & { alg: keyof typeof SIGNATURE }>();
  const headerOf = (protectedHeader: string) => {
    const known = headers.get(protectedHeader);
    if (known) return known;
    const header = json(protectedHeader);
    const alg = header.alg;
    if (typeof alg !== 'string' || !Object.hasOwn(SIGNATURE, alg) || !ACCESS_TOKEN_ALGORITHMS.includes(alg))
      throw new Error('algorithm refused');
    // No extension this verifier understands: a token that requires one is refused (RFC 7515 §4.1.11).
    if (header.crit !== undefined || header.b64 !== undefined) throw new Error('unsupported header');
    const checked = Object.freeze({ ...header, alg }) as CompactJWSHeaderParameters & { alg: keyof typeof SIGNATURE };
    if (headers.size >= MAX_HEADERS) headers.delete(headers.keys().next().value as string);
    headers.set(protectedHeader, checked);
    return checked;
  };

  const verifySlow = async (token: string): Promise<{ claims: AccessTokenClaims; expiresAt: number }> => {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw new Error('not a compact JWS');
    const [protectedHeader, payload, signature] = parts as [string, string, string];
    const header = headerOf(protectedHeader);
    // jose picks the key by kid and alg from its cached (and refreshed) key set, for every token.
    const key = keyObject(await keys(header, { payload, signature, protected: protectedHeader }));
    const bytes = Buffer.from(signature, 'base64url');
    // One encoding per signature, so a token has exactly one spelling (the cache key).
    if (bytes.toString('base64url') !== signature) throw new Error('non-canonical signature');
    const { digest, dsaEncoding } = SIGNATURE[header.alg];
    // A bare KeyObject is node:crypto's fast path; the options object only where it means something (ES256).
    const verifyKey = dsaEncoding ? { key, dsaEncoding } : key;
    if (!verifySignature(digest, Buffer.from(token.slice(0, -signature.length - 1)), verifyKey, bytes)) throw new Error('bad signature');

    const claims = json(payload);
    const now = Date.now() / 1000;
    const audience = claims.aud;
    if (claims.iss !== ACCESS_TOKEN_ISSUER) throw new Error('issuer');
    if (!(audience === ACCESS_TOKEN_AUDIENCE || (Array.isArray(audience) && audience.includes(ACCESS_TOKEN_AUDIENCE))))
      throw new Error('audience');
    if (typeof claims.exp !== 'number' || claims.exp <= now) throw new Error('expired');
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) throw new Error('not yet valid');
    if (claims.iat !== undefined && typeof claims.iat !== 'number') throw new Error('iat');
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string') throw new Error('claims missing');
    return {
      claims: { sub: claims.sub, sid: claims.sid, name: String(claims.name ?? ''), email: String(claims.email ?? '') },
      expiresAt: claims.exp * 1000,
    };
  };

  return async (token) => {
    const known = verified.get(token);
    if (known && known.expiresAt > Date.now()) return { ...known.claims };
    if (known) verified.delete(token);
    try {
      const entry = await verifySlow(token);
      if (verified.size >= maxCached) verified.delete(verified.keys().next().value as string);
      verified.set(token, entry);
      return { ...entry.claims };
    } catch (err) {
      // Auth's key set could not be fetched: the token may be fine, so no 401 (clients would sign out).
      if (keySetUnavailable(err)) throw new AppError('service_unavailable', 503, 'Tokens cannot be verified right now; try again shortly.');
      throw AppError.unauthorized('The access token is invalid or expired.', 'invalid_token');
    }
  };
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() || undefined : undefined;
}

export const toCaller = (claims: AccessTokenClaims): Caller => ({
  id: claims.sub,
  sessionId: claims.sid,
  name: claims.name,
  email: claims.email,
});

export interface AuthenticateOptions {
  /**
   * Runs after the token verified and before the request goes on; throw (an AppError) to refuse.
   * Auth checks that the session is still live here; messaging records the caller in its user projection.
   */
  check?: (caller: Caller, request: FastifyRequest) => Promise<void>;
}

/**
 * A hook that requires a valid bearer token and sets `request.caller`. Register it as
 * `onRequest` (`app.addHook('onRequest', authenticate(verify))`): it runs before the body is
 * parsed and validated, so an anonymous caller gets a 401 and learns nothing from validation errors.
 */
export function authenticate(verify: AccessTokenVerifier, { check }: AuthenticateOptions = {}) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    if (!token) throw AppError.unauthorized();
    const caller = toCaller(await verify(token));
    await check?.(caller, request);
    request.caller = caller;
  };
}
