import type { FastifyBaseLogger } from 'fastify';
import type { Histogram } from 'prom-client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { existing } from '../documents/repository.js';
import { appendUpdates } from './repository.js';

const FOREIGN_KEY_VIOLATION = '23503';

interface Pending {
  documentId: string;
  projectId: string;
  update: Uint8Array;
  /** Who sent it (user id), for `document.updated`; null for server-made updates such as a restore. */
  userId: string | null;
  at: number;
}

export type FlushedBatch = Map<string, { projectId: string; count: number; userIds: Set<string> }>;

/**
 * Writes accepted updates to the log in small batches: one INSERT for everything that arrived in
 * the last interval, so the durability bound holds without a round trip per keystroke. Writes are
 * serialised, so the log keeps arrival order; a failed batch is retried before newer updates.
 */
export class UpdateWriter {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly flushListeners: Array<(batch: FlushedBatch) => void> = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: FastifyBaseLogger,
    private readonly intervalMs: number,
    private readonly timing: Histogram,
  ) {}

  /** Called after each batch is durable (rooms count towards compaction, document activity debounces its event). */
  onFlushed(listener: (batch: FlushedBatch) => void): void {
    this.flushListeners.push(listener);
  }

  enqueue(documentId: string, projectId: string, update: Uint8Array, userId: string | null): void {
    this.pending.push({ documentId, projectId, update, userId, at: Date.now() });
    if (!this.timer && !this.closed) this.timer = setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Seconds the oldest unwritten update has waited (0 when everything is durable). */
  lagSeconds(): number {
    const oldest = this.pending[0];
    return oldest ? (Date.now() - oldest.at) / 1000 : 0;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Resolves once everything enqueued before the call is written (or its write failed and was requeued). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.chain = this.chain.then(() => this.writeBatch());
    return this.chain;
  }

  private async writeBatch(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const stop = this.timing.startTimer();
    let written = batch;
    try {
      await appendUpdates(this.db, batch).catch(async (err: unknown) => {
        if ((err as { code?: string }).code !== FOREIGN_KEY_VIOLATION) throw err;
        // A document was deleted while edits to it were pending: drop those, keep the rest.
        const alive = await existing(this.db, [...new Set(batch.map((p) => p.documentId))]);
        written = batch.filter((p) => alive.has(p.documentId));
        await appendUpdates(this.db, written);
      });
      stop();
    } catch (err) {
      this.log.error({ err, updates: batch.length }, 'could not persist updates; retrying');
      this.pending = [...batch, ...this.pending];
      if (!this.timer && !this.closed) this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      return;
    }
    const flushed: FlushedBatch = new Map();
    for (const { documentId, projectId, userId } of written) {
      const entry = flushed.get(documentId) ?? { projectId, count: 0, userIds: new Set<string>() };
      entry.count++;
      if (userId) entry.userIds.add(userId);
      flushed.set(documentId, entry);
    }
    for (const listener of this.flushListeners) listener(flushed);
  }

  /** Final flush at shutdown; later enqueues are still accepted but only written by an explicit flush. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.pending.length > 0) this.log.error({ updates: this.pending.length }, 'updates could not be persisted before shutdown');
  }
}
