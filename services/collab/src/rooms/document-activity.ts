import type { EventBus } from '@flux/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { touch } from '../documents/repository.js';
import type { FlushedBatch } from '../persistence/update-writer.js';

interface Burst {
  projectId: string;
  userIds: Set<string>;
  timer: NodeJS.Timeout | undefined;
  firstAt: number;
}

/**
 * Publishes `document.updated` once a burst of persisted edits goes quiet (debounced, with a
 * cap of ten quiet periods so a document edited non-stop still reports), and bumps the
 * document's `updated_at` at the same moment.
 */
export class DocumentActivity {
  private readonly bursts = new Map<string, Burst>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly events: EventBus,
    private readonly log: FastifyBaseLogger,
    private readonly debounceMs: number,
  ) {}

  onFlushed(batch: FlushedBatch): void {
    for (const [documentId, { projectId, userIds }] of batch) {
      let burst = this.bursts.get(documentId);
      if (!burst) {
        burst = { projectId, userIds: new Set(), timer: undefined, firstAt: Date.now() };
        this.bursts.set(documentId, burst);
      }
      for (const id of userIds) burst.userIds.add(id);
      clearTimeout(burst.timer);
      const overdue = Date.now() - burst.firstAt >= this.debounceMs * 10;
      burst.timer = setTimeout(() => void this.publish(documentId), overdue ? 0 : this.debounceMs);
    }
  }

  private async publish(documentId: string): Promise<void> {
    const burst = this.bursts.get(documentId);
    if (!burst) return;
    this.bursts.delete(documentId);
    clearTimeout(burst.timer);
    try {
      await touch(this.db, [documentId]);
      await this.events.publish('document.updated', {
        documentId,
        projectId: burst.projectId,
        updatedBy: [...burst.userIds],
        at: new Date().toISOString(),
      });
    } catch (err) {
      this.log.warn({ err, documentId }, 'could not publish document.updated');
    }
  }

  /** Shutdown: publish what is pending now rather than drop it. */
  async close(): Promise<void> {
    await Promise.all([...this.bursts.keys()].map((id) => this.publish(id)));
  }
}
