import type { EventMap } from '@flux/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

type Revocation = EventMap['sessions.revoked'];

/**
 * Sessions signed out before their access tokens expired, as services other than auth see them
 * (they verify tokens offline and would accept a revoked session's token until `exp`). Kept in
 * Redis, so every instance and a restarted one know them, until the tokens' last expiry; and in
 * process, so a Redis blip does not reopen access to a session this instance heard about.
 */
export class RevokedSessions {
  private readonly local = new Map<string, number>();
  private reported = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: FastifyBaseLogger,
  ) {}

  private key(sessionId: string): string {
    return `${this.prefix}sessions:revoked:${sessionId}`;
  }

  /** Remembers a revocation in this process only (every instance, from the stream it follows). */
  noteLocally({ sessionIds, until }: Revocation): void {
    const expiresAt = Date.parse(until);
    for (const id of sessionIds) this.local.set(id, expiresAt);
    this.prune();
  }

  /** Remembers a revocation in Redis too (once per service, from its consumer group); throws while Redis is away so the event is retried. */
  async record(revocation: Revocation): Promise<void> {
    this.noteLocally(revocation);
    const ttlMs = Date.parse(revocation.until) - Date.now();
    if (ttlMs <= 0 || revocation.sessionIds.length === 0) return;
    const multi = this.redis.multi();
    for (const id of revocation.sessionIds) multi.set(this.key(id), '1', 'PX', ttlMs);
    await multi.exec();
  }

  /**
   * True for a revoked session. Without Redis only what this process heard counts: access stays
   * open for sessions revoked during the outage that this instance never heard about.
   */
  async isRevoked(sessionId: string): Promise<boolean> {
    const local = this.local.get(sessionId);
    if (local !== undefined && local > Date.now()) return true;
    try {
      // Not even asked while the connection is down: ioredis would hold the command through its reconnect attempts.
      if (this.redis.status !== 'ready') throw new Error(`redis connection is ${this.redis.status}`);
      const revoked = (await this.redis.exists(this.key(sessionId))) === 1;
      this.reported = false;
      return revoked;
    } catch (err) {
      if (!this.reported) this.log.warn({ err }, 'revoked sessions unreadable in Redis; using this process’s copy');
      this.reported = true;
      return false;
    }
  }

  private prune(): void {
    if (this.local.size < 10_000) return;
    const now = Date.now();
    for (const [id, expiresAt] of this.local) if (expiresAt <= now) this.local.delete(id);
  }
}
