import { AppError, type ServiceName } from '@flux/shared';
import type { FastifyRequest } from 'fastify';
import { jwtVerify, SignJWT } from 'jose';

const ISSUER = 'flux-internal';

/**
 * Service-to-service calls carry a short-lived HS256 token signed with SERVICE_TOKEN_SECRET,
 * naming the calling service (`sub`) and the one called (`aud`), so a token for one service
 * cannot be replayed against another.
 */
export class ServiceTokens {
  private readonly key: Uint8Array;
  private cached = new Map<string, { token: string; renewAt: number }>();

  constructor(
    secret: string,
    private readonly self: ServiceName,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(audience: ServiceName): Promise<string> {
    const hit = this.cached.get(audience);
    if (hit && hit.renewAt > Date.now()) return hit.token;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(this.self)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(this.key);
    this.cached.set(audience, { token, renewAt: Date.now() + 4 * 60_000 });
    return token;
  }

  /** Returns the calling service's name; throws 401 for a missing, forged or expired token. */
  async verify(request: FastifyRequest): Promise<string> {
    const header = request.headers.authorization;
    const token = header?.startsWith('Service ') ? header.slice('Service '.length) : undefined;
    if (!token) throw AppError.unauthorized('A service token is required.');
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: this.self, algorithms: ['HS256'] });
      return payload.sub ?? 'unknown';
    } catch {
      throw AppError.unauthorized('The service token is invalid or expired.', 'invalid_token');
    }
  }
}
