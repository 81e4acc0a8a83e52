import type { Redis } from 'ioredis';

/**
 * Who is online, kept in Redis so every instance agrees. Each user has a sorted set of their
 * open sockets scored by expiry: several tabs count once, and the sockets of an instance that
 * died without saying goodbye expire on their own after the TTL.
 */
export class Presence {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(userId: string): string {
    return `${this.prefix}presence:${userId}`;
  }

  /** Records a socket; true when the user just came online (their first live socket). */
  async connect(userId: string, socketId: string): Promise<boolean> {
    const now = Date.now();
    const key = this.key(userId);
    const results = await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', now)
      .zadd(key, now + this.ttlSeconds * 1000, socketId)
      .zcard(key)
      .pexpire(key, this.ttlSeconds * 1000)
      .exec();
    return results?.[2]?.[1] === 1;
  }

  /** Forgets a socket; true when it was the user's last one (they went offline). */
  async disconnect(userId: string, socketId: string): Promise<boolean> {
    const key = this.key(userId);
    const results = await this.redis.multi().zrem(key, socketId).zremrangebyscore(key, '-inf', Date.now()).zcard(key).exec();
    return results?.[0]?.[1] === 1 && results[2]?.[1] === 0;
  }

  /** Extends the life of this instance's sockets; called on an interval well inside the TTL. */
  async heartbeat(sockets: Iterable<{ userId: string; socketId: string }>): Promise<void> {
    const expiry = Date.now() + this.ttlSeconds * 1000;
    const pipeline = this.redis.pipeline();
    let any = false;
    for (const { userId, socketId } of sockets) {
      pipeline.zadd(this.key(userId), 'XX', expiry, socketId).pexpire(this.key(userId), this.ttlSeconds * 1000);
      any = true;
    }
    if (any) await pipeline.exec();
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
