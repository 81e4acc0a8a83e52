import { eventChannel, type EventMap, type EventName, type FanoutEventName } from '@flux/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { closeRedis, createRedis } from './redis.js';

type Handler<N extends EventName> = (payload: EventMap[N]) => void | Promise<void>;

/**
 * Typed cross-service events over Redis pub/sub: fan-out whose loss can be repaired (a projection
 * refreshed on demand, a cache). Events that must not be lost go through the outbox instead
 * (`createOutbox`, `DurableEvents`); `publish` and `subscribe` refuse their names at compile time.
 */
export class EventBus {
  private subscriber: Redis | undefined;
  private dropping = false;
  private readonly handlers = new Map<string, Array<(payload: unknown) => void | Promise<void>>>();

  constructor(
    private readonly publisher: Redis,
    private readonly redisUrl: string,
    private readonly prefix: string,
    private readonly log: FastifyBaseLogger,
  ) {}

  /**
   * Best effort, never throws: a fan-out event is repairable by definition, so while Redis is
   * unreachable it is dropped (logged once per outage) rather than failing the request that made it,
   * and not even sent once the connection is known lost (ioredis would hold it through its
   * reconnect attempts). One sent while the first connection is still being made waits for it.
   */
  async publish<N extends FanoutEventName>(name: N, payload: EventMap[N]): Promise<void> {
    try {
      if (['reconnecting', 'close', 'end'].includes(this.publisher.status)) throw new Error(`redis connection is ${this.publisher.status}`);
      await this.publisher.publish(eventChannel(this.prefix, name), JSON.stringify(payload));
      this.dropping = false;
    } catch (err) {
      if (!this.dropping) this.log.warn({ err, event: name }, 'fan-out events dropped while Redis is unreachable');
      this.dropping = true;
    }
  }

  async subscribe<N extends FanoutEventName>(name: N, handler: Handler<N>): Promise<void> {
    const channel = eventChannel(this.prefix, name);
    if (!this.subscriber) {
      this.subscriber = createRedis(this.redisUrl, this.log, 'events', { maxRetriesPerRequest: null });
      this.subscriber.on('message', (ch: string, message: string) => this.dispatch(ch, message));
    }
    const list = this.handlers.get(channel) ?? [];
    if (list.length === 0) await this.subscriber.subscribe(channel);
    list.push(handler as (payload: unknown) => void);
    this.handlers.set(channel, list);
  }

  private dispatch(channel: string, message: string): void {
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch {
      this.log.warn({ channel }, 'ignored an event that is not JSON');
      return;
    }
    for (const handler of this.handlers.get(channel) ?? []) {
      Promise.resolve()
        .then(() => handler(payload))
        .catch((err: unknown) => this.log.error({ err, channel }, 'event handler failed'));
    }
  }

  async close(): Promise<void> {
    if (this.subscriber) await closeRedis(this.subscriber);
  }
}
