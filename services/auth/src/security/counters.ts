import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

/**
 * The few operations auth's abuse limits need. Kept in Redis so they hold across instances; while
 * Redis is unreachable they fall back to this process's memory, so sign-in, sign-up and refresh
 * keep working and the limits still hold per instance (an attacker spreading over N instances
 * gets N times the budget until Redis returns).
 */
export interface Counters {
  /** INCR with a window opened by the first hit: the count and the window's remaining seconds. */
  hit(key: string, windowSeconds: number): Promise<{ count: number; ttl: number }>;
  /** The counter's value, 0 when absent. */
  value(key: string): Promise<number>;
  /** Remaining lifetime in ms, or a negative number when the key does not exist. */
  pttl(key: string): Promise<number>;
  /** SET NX with a lifetime: true when this call created the key. */
  claim(key: string, ms: number): Promise<boolean>;
  remove(key: string): Promise<void>;
  /** DECR, but only while the key exists (a DECR of a deleted counter would recreate it at -1 with no expiry). */
  giveBack(key: string): Promise<void>;
  /** SADD into a set opened with a window: whether the member is new and the set's size. */
  addMember(key: string, member: string, windowSeconds: number): Promise<{ added: boolean; size: number }>;
}

// Each a single atomic command: a sign-in runs several, and a MULTI of three is five commands to send and parse.
// The window opens at the first hit (EXPIRE NX), so Retry-After is exactly its remaining TTL.
const HIT = "local n = redis.call('incr', KEYS[1]) redis.call('expire', KEYS[1], ARGV[1], 'NX') return {n, redis.call('ttl', KEYS[1])}";
const ADD_MEMBER =
  "local added = redis.call('sadd', KEYS[1], ARGV[1]) redis.call('expire', KEYS[1], ARGV[2], 'NX') return {added, redis.call('scard', KEYS[1])}";

class RedisCounters implements Counters {
  constructor(private readonly redis: Redis) {}
  async hit(key: string, windowSeconds: number) {
    const [count, ttl] = (await this.redis.eval(HIT, 1, key, windowSeconds)) as [number, number];
    return { count, ttl };
  }
  async value(key: string) {
    return Number((await this.redis.get(key)) ?? 0);
  }
  async pttl(key: string) {
    return this.redis.pttl(key);
  }
  async claim(key: string, ms: number) {
    return (await this.redis.set(key, '1', 'PX', ms, 'NX')) === 'OK';
  }
  async remove(key: string) {
    await this.redis.del(key);
  }
  async giveBack(key: string) {
    await this.redis.eval("if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0", 1, key);
  }
  async addMember(key: string, member: string, windowSeconds: number) {
    const [added, size] = (await this.redis.eval(ADD_MEMBER, 1, key, member, windowSeconds)) as [number, number];
    return { added: added === 1, size };
  }
}

interface Entry {
  count: number;
  members?: Set<string>;
  expiresAt: number;
}

/** The same operations in this process's memory, expired lazily and swept when the map grows. */
export class MemoryCounters implements Counters {
  private readonly entries = new Map<string, Entry>();

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private open(key: string, windowMs: number): Entry {
    let entry = this.live(key);
    if (!entry) {
      if (this.entries.size >= 50_000) this.sweep();
      entry = { count: 0, expiresAt: Date.now() + windowMs };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  async hit(key: string, windowSeconds: number) {
    const entry = this.open(key, windowSeconds * 1000);
    entry.count += 1;
    return { count: entry.count, ttl: Math.ceil((entry.expiresAt - Date.now()) / 1000) };
  }
  async value(key: string) {
    return this.live(key)?.count ?? 0;
  }
  async pttl(key: string) {
    const entry = this.live(key);
    return entry ? entry.expiresAt - Date.now() : -2;
  }
  async claim(key: string, ms: number) {
    if (this.live(key)) return false;
    this.open(key, ms).count = 1;
    return true;
  }
  async remove(key: string) {
    this.entries.delete(key);
  }
  async giveBack(key: string) {
    const entry = this.live(key);
    if (entry) entry.count -= 1;
  }
  async addMember(key: string, member: string, windowSeconds: number) {
    const entry = this.open(key, windowSeconds * 1000);
    entry.members ??= new Set();
    const added = !entry.members.has(member);
    entry.members.add(member);
    return { added, size: entry.members.size };
  }
}

/**
 * Redis while it answers; this process's memory while it does not. A command is not even sent
 * while the connection is down (ioredis would hold it through its reconnect attempts), so a
 * sign-in during an outage costs no wait.
 */
function createCounters(redis: Redis, log: FastifyBaseLogger): Counters {
  const shared = new RedisCounters(redis);
  const local = new MemoryCounters();
  let reported = false;
  const pick = async <T>(run: (counters: Counters) => Promise<T>): Promise<T> => {
    if (redis.status === 'ready') {
      try {
        const result = await run(shared);
        reported = false;
        return result;
      } catch (err) {
        if (!reported) log.warn({ err }, 'auth limits unreadable in Redis; counting in this process until it returns');
        reported = true;
      }
    }
    return run(local);
  };
  return {
    hit: (key, windowSeconds) => pick((c) => c.hit(key, windowSeconds)),
    value: (key) => pick((c) => c.value(key)),
    pttl: (key) => pick((c) => c.pttl(key)),
    claim: (key, ms) => pick((c) => c.claim(key, ms)),
    remove: (key) => pick((c) => c.remove(key)),
    giveBack: (key) => pick((c) => c.giveBack(key)),
    addMember: (key, member, windowSeconds) => pick((c) => c.addMember(key, member, windowSeconds)),
  };
}

const byConnection = new WeakMap<Redis, Counters>();

/** The process's counters over the app's Redis connection (one memory fallback per connection). */
export function countersOf(ctx: { redis: Redis; log: FastifyBaseLogger }): Counters {
  let counters = byConnection.get(ctx.redis);
  if (!counters) {
    counters = createCounters(ctx.redis, ctx.log);
    byConnection.set(ctx.redis, counters);
  }
  return counters;
}
