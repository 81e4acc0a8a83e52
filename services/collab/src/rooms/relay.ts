import { randomBytes } from 'node:crypto';
import { closeRedis, createRedis } from '@flux/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

const ID_BYTES = 16;

/**
 * Relays y-websocket frames between collab instances that hold the same room, over Redis
 * pub/sub: one channel per document, subscribed while the room is loaded. Each message is
 * prefixed with the sending instance's id so an instance ignores its own frames.
 */
export class RoomRelay {
  readonly instanceId = randomBytes(ID_BYTES);
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, (frame: Uint8Array) => void>();

  constructor(
    private readonly publisher: Redis,
    redisUrl: string,
    private readonly prefix: string,
    private readonly log: FastifyBaseLogger,
  ) {
    this.subscriber = createRedis(redisUrl, log, 'collab-relay', { maxRetriesPerRequest: null });
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.dispatch(channel.toString(), message));
  }

  private channel(documentId: string): string {
    return `${this.prefix}collab:room:${documentId}`;
  }

  async join(documentId: string, handler: (frame: Uint8Array) => void): Promise<void> {
    this.handlers.set(documentId, handler);
    await this.subscriber.subscribe(this.channel(documentId));
  }

  async leave(documentId: string): Promise<void> {
    this.handlers.delete(documentId);
    await this.subscriber
      .unsubscribe(this.channel(documentId))
      .catch((err: unknown) => this.log.warn({ err, documentId }, 'relay unsubscribe failed'));
  }

  /** Resolves with how many instances (this one included) hold the room; 0 when Redis failed. */
  publish(documentId: string, frame: Uint8Array): Promise<number> {
    return this.publisher.publish(this.channel(documentId), Buffer.concat([this.instanceId, frame])).catch((err: unknown) => {
      this.log.warn({ err, documentId }, 'relay publish failed');
      return 0;
    });
  }

  private dispatch(channel: string, message: Buffer): void {
    if (message.length <= ID_BYTES || message.subarray(0, ID_BYTES).equals(this.instanceId)) return;
    const documentId = channel.slice(this.channel('').length);
    const handler = this.handlers.get(documentId);
    if (!handler) return;
    try {
      handler(new Uint8Array(message.buffer, message.byteOffset + ID_BYTES, message.length - ID_BYTES));
    } catch (err) {
      this.log.warn({ err, documentId }, 'ignored a relayed frame that could not be applied');
    }
  }

  async close(): Promise<void> {
    await closeRedis(this.subscriber);
  }
}
