import { type EventMap, eventStream } from '@flux/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { DurableEvents } from './streams.js';

type Revocation = EventMap['sessions.revoked'];

const PAGE = 1000;

/** `text` matched literally by a Redis glob pattern. */
const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Sessions signed out before their access tokens expired, as services other than auth see them
 * (they verify tokens offline and would accept a revoked session's token until `exp`).
 *
 * Checked in process, without a round trip per request: every instance follows `sessions.revoked`
 * (a revoked session is refused on every instance once the event arrives there, within
 * milliseconds), and on start loads the revocations made before it (the keys the services'
 * consumer groups recorded in Redis, until the tokens' last expiry, and the stream's retained
 * entries, which cover events no consumer has recorded yet). Following starts before the loading,
 * so nothing falls between the two. A Redis blip does not reopen anything: the follower resumes
 * after it from where it stopped.
 */
export class RevokedSessions {
  private readonly local = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: FastifyBaseLogger,
  ) {}

  private key(sessionId: string): string {
    return `${this.prefix}sessions:revoked:${sessionId}`;
  }

  /**
   * Follows revocations in this instance (each noted, then handed to `onRevoked`, e.g. to close
   * the session's sockets), then loads the earlier ones. Resolves once both are known: call it
   * before serving requests.
   */
  async follow(streams: DurableEvents, onRevoked?: (revocation: Revocation) => void): Promise<void> {
    await streams.follow('sessions.revoked', ({ payload }) => {
      this.noteLocally(payload);
      onRevoked?.(payload);
    });
    await this.load();
  }

  /** Remembers a revocation in this process, until its tokens expire. */
  noteLocally({ sessionIds, until }: Revocation): void {
    this.remember(sessionIds, Date.parse(until));
  }

  private remember(sessionIds: readonly string[], expiresAt: number): void {
    if (!(expiresAt > Date.now())) return;
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

  /** True for a revoked session whose tokens may still be valid. */
  async isRevoked(sessionId: string): Promise<boolean> {
    const expiresAt = this.local.get(sessionId);
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  /** The revocations made before this instance started: recorded keys, then the stream's entries. */
  private async load(): Promise<void> {
    const keyPrefix = this.key('');
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${globEscape(keyPrefix)}*`, 'COUNT', PAGE);
      cursor = next;
      if (keys.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.pttl(key);
      const ttls = (await pipeline.exec()) ?? [];
      const now = Date.now();
      keys.forEach((key, i) => {
        const ttl = ttls[i]?.[1];
        if (typeof ttl === 'number' && ttl > 0) this.remember([key.slice(keyPrefix.length)], now + ttl);
      });
    } while (cursor !== '0');

    const stream = eventStream(this.prefix, 'sessions.revoked');
    let from = '-';
    for (;;) {
      const entries = (await this.redis.xrange(stream, from, '+', 'COUNT', PAGE)) as Array<[string, string[]]>;
      for (const [, fields] of entries) {
        try {
          this.noteLocally(JSON.parse(fields[fields.indexOf('payload') + 1] ?? '') as Revocation);
        } catch {
          this.log.warn('ignored a malformed sessions.revoked entry');
        }
      }
      const last = entries.at(-1);
      if (!last || entries.length < PAGE) break;
      from = `(${last[0]}`;
    }
  }

  private prune(): void {
    if (this.local.size < 10_000) return;
    const now = Date.now();
    for (const [id, expiresAt] of this.local) if (expiresAt <= now) this.local.delete(id);
  }
}
