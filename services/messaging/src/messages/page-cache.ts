import type { DbOrTrx } from '@flux/server-kit';
import type { Database } from '../db/database.js';
import { Coalescer } from './coalesce.js';
import * as repo from './repository.js';

/** A history page as sent: its JSON body (UTF-8, encoded once) and the conversation's page version it was built at. */
export interface PageBody {
  version: string;
  body: Buffer;
}

export interface PageQuery {
  before?: number;
  limit: number;
  parentId?: string;
}

/** Bodies kept per process (a page of 50 is ~25 KB): the least recently read go first. */
const MAX_BYTES = 32 * 1024 * 1024;

/**
 * History pages as the database last built them, per conversation and query. A read with a stored
 * page still asks the database for the conversation's page version (last seq and the change
 * counters of migration 0008, moved by triggers on every change a page shows), a primary-key
 * lookup; the page is built again (one statement, its version read in the same snapshot) only
 * when that version moved. So a page is never stale, on any instance, and an unchanged
 * conversation costs the lookup instead of building the page. Concurrent reads of a conversation
 * share one lookup (and one build), each started after the request arrived.
 */
export class PageCache {
  private readonly pages = new Map<string, PageBody>();
  private bytes = 0;
  // Concurrent readers of one conversation share version checks and page builds (never older than their request).
  private readonly versions = new Coalescer<string | undefined>();
  private readonly builds = new Coalescer<PageBody | undefined>();

  constructor(private readonly db: DbOrTrx<Database>) {}

  /** The page, undefined when the conversation does not exist. */
  async read(conversationId: string, query: PageQuery): Promise<PageBody | undefined> {
    const key = `${conversationId}/${query.limit}/${query.before ?? ''}/${query.parentId ?? ''}`;
    const stored = this.pages.get(key);
    if (stored) {
      const version = await this.versions.run(conversationId, () => repo.pageVersion(this.db, conversationId));
      if (version === undefined) return undefined;
      if (version === stored.version) {
        // Read again: to the back of the eviction order.
        this.pages.delete(key);
        this.pages.set(key, stored);
        return stored;
      }
    }
    return this.builds.run(key, async () => {
      const built = await repo.page(this.db, conversationId, query);
      if (!built) return undefined;
      const fresh = { version: built.version, body: Buffer.from(built.body) };
      this.store(key, fresh);
      return fresh;
    });
  }

  private store(key: string, page: PageBody): void {
    const previous = this.pages.get(key);
    if (previous) this.bytes -= previous.body.length;
    this.pages.delete(key);
    this.pages.set(key, page);
    this.bytes += page.body.length;
    for (const [oldest, { body }] of this.pages) {
      if (this.bytes <= MAX_BYTES) break;
      this.pages.delete(oldest);
      this.bytes -= body.length;
    }
  }
}
