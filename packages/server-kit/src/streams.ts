import { randomUUID } from 'node:crypto';
import { type DurableEventName, type EventMap, eventStream } from '@flux/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { OutboxEvent } from './outbox.js';
import { closeRedis, createRedis } from './redis.js';

/** A durable event as a consumer sees it: `id` is the outbox row's, the same on every redelivery. */
export interface DurableEvent<N extends DurableEventName> {
  id: string;
  name: N;
  payload: EventMap[N];
}
type Handler<N extends DurableEventName> = (event: DurableEvent<N>) => void | Promise<void>;

export interface DurableEventsOptions {
  redisUrl: string;
  prefix: string;
  log: FastifyBaseLogger;
  /** Entries kept per stream (approximately); a consumer group away for longer misses the oldest. */
  maxLength?: number;
  /** How long a group remembers the ids it handled, so a redelivered event is not handled twice. */
  doneTtlSeconds?: number;
  /** An entry a group's consumer took but never acknowledged (it failed, or its process died) is retried after this. */
  retryAfterMs?: number;
}

const BLOCK_MS = 2_000;

/** [id, [field, value, …]] entries as XREAD/XREADGROUP/XAUTOCLAIM answer them. */
type Entries = Array<[string, string[]]>;

/**
 * The entries of a one-stream XREAD/XREADGROUP answer: RESP3 (ioredis 6 speaks it when the
 * server does) flattens the stream map to `[key, entries]`, RESP2 answers `[[key, entries]]`.
 */
function entriesOf(answer: unknown): Entries {
  if (!Array.isArray(answer) || answer.length === 0) return [];
  return (typeof answer[0] === 'string' ? answer[1] : answer[0]?.[1]) ?? [];
}

/**
 * Durable events between services on Redis streams (`${prefix}stream:<name>`), fed by the outbox
 * relays. Two ways to read them:
 * - `consume(name, group, …)`: once per group (a service), load-balanced over its instances,
 *   acknowledged after the handler succeeds, retried otherwise, and kept while the service is down.
 * - `follow(name, …)`: every instance sees every event from the moment it starts following (for
 *   in-process state: caches, open sockets); it resumes from its last id after a Redis blip,
 *   unlike pub/sub, which drops what was published meanwhile.
 */
export class DurableEvents {
  private readonly connections = new Set<Redis>();
  private readonly loops = new Set<Promise<void>>();
  private closed = false;
  private readonly consumerName = `${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly publisher: Redis,
    private readonly options: DurableEventsOptions,
  ) {}

  private key(name: DurableEventName): string {
    return eventStream(this.options.prefix, name);
  }

  /** An outbox sink: appends the batch to the streams, one round trip. Rejects while Redis is away (the relay retries). */
  async append(events: ReadonlyArray<Pick<OutboxEvent, 'id' | 'payload'> & { name: DurableEventName }>): Promise<void> {
    const pipeline = this.publisher.pipeline();
    for (const event of events) {
      pipeline.xadd(
        this.key(event.name),
        'MAXLEN',
        '~',
        String(this.options.maxLength ?? 10_000),
        '*',
        'id',
        event.id,
        'payload',
        JSON.stringify(event.payload),
      );
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  /** Handles each event once per `group` (deduplicated by event id), retrying failures. */
  async consume<N extends DurableEventName>(name: N, group: string, handler: Handler<N>): Promise<void> {
    const key = this.key(name);
    const redis = this.connection(`stream-${group}`);
    const createGroup = async (from: '$' | '0') => {
      try {
        await redis.call('XGROUP', 'CREATE', key, group, from, 'MKSTREAM');
      } catch (err) {
        if (!String(err).includes('BUSYGROUP')) throw err;
      }
    };
    // From now on ('$'): a group that did not exist has nothing to catch up on.
    await createGroup('$');
    const done = (id: string) => `${this.options.prefix}stream-done:${group}:${id}`;
    const handle = async (entryId: string, fields: string[]) => {
      const event = this.parse<N>(name, fields);
      if (event && !(await this.publisher.exists(done(event.id)))) {
        await handler(event);
        await this.publisher.set(done(event.id), '1', 'EX', this.options.doneTtlSeconds ?? 7 * 86_400);
      }
      await redis.call('XACK', key, group, entryId);
    };
    // The stream (and its groups) vanished: Redis restarted without persistence, or the key was
    // deleted. Everything in a re-created stream is new to the group, so it reads from the start.
    const recover = async (err: unknown) => {
      if (!String(err).includes('NOGROUP')) throw err;
      await createGroup('0');
    };
    const step = async () => {
      // Entries another consumer took and never acknowledged (a failed handler, a dead process).
      const claimed = (await redis.call(
        'XAUTOCLAIM',
        key,
        group,
        this.consumerName,
        this.options.retryAfterMs ?? 5_000,
        '0-0',
        'COUNT',
        100,
      )) as [string, Entries];
      const fresh = entriesOf(
        await redis.call('XREADGROUP', 'GROUP', group, this.consumerName, 'COUNT', 100, 'BLOCK', BLOCK_MS, 'STREAMS', key, '>'),
      );
      for (const [entryId, fields] of [...(claimed?.[1] ?? []), ...fresh]) {
        // Left pending on failure: XAUTOCLAIM hands it out again after `retryAfterMs`.
        await handle(entryId, fields).catch((err: unknown) =>
          this.options.log.error({ err, event: name, group, entryId }, 'durable event handler failed'),
        );
      }
    };
    this.loop(name, () => step().catch(recover));
  }

  /** Every event from now on, in this instance, in stream order. */
  async follow<N extends DurableEventName>(name: N, handler: Handler<N>): Promise<void> {
    const key = this.key(name);
    const redis = this.connection(`stream-follow-${name}`);
    const newest = (await redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)) as Entries;
    let last = newest[0]?.[0] ?? '0-0';
    this.loop(name, async () => {
      const answer = entriesOf(await redis.call('XREAD', 'COUNT', 100, 'BLOCK', BLOCK_MS, 'STREAMS', key, last));
      for (const [entryId, fields] of answer) {
        last = entryId;
        const event = this.parse<N>(name, fields);
        if (!event) continue;
        try {
          await handler(event);
        } catch (err) {
          this.options.log.error({ err, event: name, entryId }, 'durable event follower failed');
        }
      }
    });
  }

  private parse<N extends DurableEventName>(name: N, fields: string[]): DurableEvent<N> | undefined {
    const value = (field: string) => fields[fields.indexOf(field) + 1];
    const id = value('id');
    try {
      const payload = JSON.parse(value('payload') ?? '') as EventMap[N];
      if (id) return { id, name, payload };
    } catch {}
    this.options.log.warn({ event: name }, 'ignored a malformed durable event');
    return undefined;
  }

  private connection(purpose: string): Redis {
    // Blocking reads need their own connection each; no retry limit, they wait out an outage.
    const redis = createRedis(this.options.redisUrl, this.options.log, purpose, { maxRetriesPerRequest: null });
    this.connections.add(redis);
    return redis;
  }

  private loop(name: string, step: () => Promise<void>): void {
    const run = (async () => {
      while (!this.closed) {
        try {
          await step();
        } catch (err) {
          if (this.closed) return;
          this.options.log.warn({ err, event: name }, 'durable event read failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    })();
    this.loops.add(run);
  }

  async close(): Promise<void> {
    this.closed = true;
    // A blocked read ends when its connection does.
    for (const redis of this.connections) redis.disconnect();
    await Promise.allSettled(this.loops);
    await Promise.all([...this.connections].map(closeRedis));
  }
}
