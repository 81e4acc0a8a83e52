import { closeRedis, createRedis } from '@flux/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { ConversationRow, MemberRow } from '../db/database.js';

/** A conversation and a user's membership row in it, as `findWithMember` reads them. */
export interface MemberFound {
  conversation: ConversationRow;
  member: MemberRow;
}

/** Rows one instance keeps at most (a few hundred bytes each). */
const MAX_ENTRIES = 100_000;

interface Entry {
  found: MemberFound;
  expires: number;
}

/** What one instance tells the others: these memberships changed (no `userId`: the whole conversation's). */
interface Changed {
  conversationId: string;
  userId?: string;
}

/**
 * Membership rows the send and read paths check, kept in memory at most `ttlMs` (30 s by
 * default) so a common send needs no query for them. Only members are kept: a non-member is
 * always asked for again, so an add takes effect at once.
 *
 * A change made here (`changed`) is forgotten at once on this instance and announced to the
 * others over Redis pub/sub; `membership.changed` forgets the user's rows too. An announcement
 * lost (pub/sub is not durable, Redis may be down) is covered by the time bound. Only the
 * conversation's immutable columns (id, type, project id) are to be relied on from a cached row.
 */
export class MembershipCache {
  private readonly entries = new Map<string, Entry>();
  /** Moved by every forget: a lookup that started before one must not store what it read. */
  private generation = 0;
  private subscriber: Redis | undefined;
  private readonly channel: string;

  constructor(
    private readonly publisher: Redis,
    private readonly redisUrl: string,
    prefix: string,
    private readonly log: FastifyBaseLogger,
    private readonly ttlMs: number,
  ) {
    this.channel = `${prefix}messaging:membership`;
  }

  /** The cached membership, if any and not expired. */
  get(conversationId: string, userId: string): MemberFound | undefined {
    const key = `${conversationId}:${userId}`;
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires > Date.now()) return hit.found;
    this.entries.delete(key);
    return undefined;
  }

  /** Call before reading from the database; pass the answer to `set` with what was read. */
  version(): number {
    return this.generation;
  }

  /** Keeps a membership read when `version()` answered `since`, unless something was forgotten meanwhile. */
  set(found: MemberFound, since: number): void {
    if (this.ttlMs === 0 || since !== this.generation) return;
    this.entries.set(`${found.conversation.id}:${found.member.user_id}`, { found, expires: Date.now() + this.ttlMs });
    if (this.entries.size > MAX_ENTRIES) this.prune();
  }

  /** After a committed change here: forgotten at once on this instance, announced to the others. */
  async changed(conversationId: string, userId?: string): Promise<void> {
    this.forget({ conversationId, userId });
    try {
      // Not while reconnecting: ioredis would hold the command; the time bound covers a lost one.
      if (this.publisher.status !== 'ready') throw new Error(`redis connection is ${this.publisher.status}`);
      await this.publisher.publish(this.channel, JSON.stringify({ conversationId, userId } satisfies Changed));
    } catch (err) {
      this.log.warn({ err, conversationId }, `membership change not announced; other instances notice within ${this.ttlMs} ms`);
    }
  }

  /** `membership.changed`: the user's rows everywhere (their role in a project may have changed). */
  forgetUser(userId: string): void {
    this.generation++;
    for (const key of this.entries.keys()) if (key.endsWith(`:${userId}`)) this.entries.delete(key);
  }

  /** Listens to the other instances' announcements. */
  async follow(): Promise<void> {
    this.subscriber = createRedis(this.redisUrl, this.log, 'membership-cache', { maxRetriesPerRequest: null });
    // Connected again after an outage: what was announced meanwhile is lost, so nothing cached is trusted.
    this.subscriber.on('ready', () => {
      this.generation++;
      this.entries.clear();
    });
    this.subscriber.on('message', (_channel: string, message: string) => {
      try {
        this.forget(JSON.parse(message) as Changed);
      } catch (err) {
        this.log.warn({ err }, 'ignored a membership announcement that is not JSON');
      }
    });
    await this.subscriber.subscribe(this.channel);
  }

  async close(): Promise<void> {
    if (this.subscriber) await closeRedis(this.subscriber);
  }

  private forget({ conversationId, userId }: Changed): void {
    this.generation++;
    if (userId) {
      this.entries.delete(`${conversationId}:${userId}`);
      return;
    }
    for (const key of this.entries.keys()) if (key.startsWith(`${conversationId}:`)) this.entries.delete(key);
  }

  /** Drops the expired rows, and while still over the bound the oldest (a Map iterates in insertion order). */
  private prune(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES * 0.9) break;
      this.entries.delete(key);
    }
  }
}
