import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Who is online, kept in Redis so every instance agrees. Each user has a sorted set of the
 * instances holding their sockets, scored by expiry: an instance counts its own sockets per user
 * in memory and writes to Redis only when a user's first socket here opens or their last one here
 * closes, so many tabs cost one entry and one heartbeat, and a socket's handshake usually none.
 * The entries of an instance that died without saying goodbye expire on their own after the TTL.
 */
export class Presence {
  /** This process in the users' sets. */
  private readonly instance = randomUUID();
  /** Open sockets per user on this instance. */
  private readonly local = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(userId: string): string {
    return `${this.prefix}presence:${userId}`;
  }

  /** Records a socket; true when the user just came online (their first live socket anywhere). */
  async connect(userId: string): Promise<boolean> {
    const count = (this.local.get(userId) ?? 0) + 1;
    this.local.set(userId, count);
    if (count > 1) return false; // this instance already counts them, and announced them if it was the first
    const now = Date.now();
    const key = this.key(userId);
    // Sent in call order on one connection, so a quick close-and-reopen applies in order too.
    const results = await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', now)
      .zadd(key, now + this.ttlSeconds * 1000, this.instance)
      .zcard(key)
      .pexpire(key, this.ttlSeconds * 1000)
      .exec();
    return results?.[2]?.[1] === 1;
  }

  /** Forgets a socket; true when it was the user's last one anywhere (they went offline). */
  async disconnect(userId: string): Promise<boolean> {
    const count = (this.local.get(userId) ?? 0) - 1;
    if (count > 0) {
      this.local.set(userId, count);
      return false;
    }
    this.local.delete(userId);
    const key = this.key(userId);
    const results = await this.redis.multi().zrem(key, this.instance).zremrangebyscore(key, '-inf', Date.now()).zcard(key).exec();
    return results?.[0]?.[1] === 1 && results[2]?.[1] === 0;
  }

  /**
   * Extends the life of this instance's entries; called on an interval well inside the TTL. Adds
   * them back if Redis lost them: only users with sockets here now are written, and a later
   * disconnect's ZREM follows on the same connection.
   */
  async heartbeat(): Promise<void> {
    if (this.local.size === 0) return;
    const ttl = this.ttlSeconds * 1000;
    const expiry = Date.now() + ttl;
    const pipeline = this.redis.pipeline();
    for (const userId of this.local.keys()) pipeline.zadd(this.key(userId), expiry, this.instance).pexpire(this.key(userId), ttl);
    await pipeline.exec();
  }

  /** The subset of `userIds` with at least one live socket. */
  async online(userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const id of userIds) pipeline.zcount(this.key(id), now, '+inf');
    const results = (await pipeline.exec()) ?? [];
    return userIds.filter((_, i) => Number(results[i]?.[1] ?? 0) > 0);
  }
}
