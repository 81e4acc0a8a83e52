import { AppError, type AccessTokenClaims, type Caller } from '@flux/shared';
import type { FastifyRequest } from 'fastify';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

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

/** Verifies an access token's signature (asymmetric only: no `alg:none`, no HMAC), issuer, audience and expiry. */
export function createAccessTokenVerifier(keys: JWTVerifyGetKey): AccessTokenVerifier {
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
        algorithms: ACCESS_TOKEN_ALGORITHMS,
      });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw new Error('claims missing');
      return { sub: payload.sub, sid: payload.sid, name: String(payload.name ?? ''), email: String(payload.email ?? '') };
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
