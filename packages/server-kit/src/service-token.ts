import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { AppError, type ServiceName } from '@flux/shared';
import type { FastifyRequest } from 'fastify';
import { decodeJwt, jwtVerify, SignJWT } from 'jose';

const ISSUER = 'flux-internal';
/** A token lives a minute and is reused for half of it: a leaked one is worth little. */
const LIFETIME_SECONDS = 60;
const RENEW_AFTER_MS = 30_000;

export interface ServiceTokensOptions {
  /** This service: the `sub` of the tokens it signs and the only `aud` it accepts. */
  service: ServiceName;
  /** This service's own Ed25519 private key (PKCS8 PEM); no other service holds it. */
  privateKey: string;
  /** The public keys (SPKI or PKCS8 PEM; only the public half is kept) of the services allowed to call this one. */
  callers: Partial<Record<ServiceName, string>>;
}

/**
 * Service-to-service calls carry a short-lived EdDSA token: each service signs with its own private
 * key, naming itself (`sub`) and the service called (`aud`); the callee checks the signature with
 * the public key of the service the token claims to come from. So a token is good for one callee
 * only, and no service can mint one in another's name (they used to share one HS256 secret).
 */
export class ServiceTokens {
  private readonly self: ServiceName;
  private readonly signingKey: KeyObject;
  private readonly callerKeys = new Map<string, KeyObject>();
  private readonly cached = new Map<string, { token: string; renewAt: number }>();

  constructor({ service, privateKey, callers }: ServiceTokensOptions) {
    this.self = service;
    this.signingKey = createPrivateKey(privateKey);
    for (const [name, pem] of Object.entries(callers)) if (pem) this.callerKeys.set(name, createPublicKey(pem));
  }

  async sign(audience: ServiceName): Promise<string> {
    const hit = this.cached.get(audience);
    if (hit && hit.renewAt > Date.now()) return hit.token;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: this.self })
      .setIssuer(ISSUER)
      .setSubject(this.self)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${LIFETIME_SECONDS}s`)
      .sign(this.signingKey);
    this.cached.set(audience, { token, renewAt: Date.now() + RENEW_AFTER_MS });
    return token;
  }

  /** Returns the calling service's name; throws 401 for a missing, forged, foreign or expired token. */
  async verify(request: FastifyRequest): Promise<string> {
    const header = request.headers.authorization;
    const token = header?.startsWith('Service ') ? header.slice('Service '.length) : undefined;
    if (!token) throw AppError.unauthorized('A service token is required.');
    const invalid = () => AppError.unauthorized('The service token is invalid or expired.', 'invalid_token');
    let caller: string | undefined;
    try {
      caller = decodeJwt(token).sub;
    } catch {
      throw invalid();
    }
    const key = caller === undefined ? undefined : this.callerKeys.get(caller);
    if (caller === undefined || !key) throw invalid();
    try {
      await jwtVerify(token, key, {
        issuer: ISSUER,
        audience: this.self,
        subject: caller,
        algorithms: ['EdDSA'],
        maxTokenAge: `${LIFETIME_SECONDS}s`,
      });
    } catch {
      throw invalid();
    }
    return caller;
  }
}
