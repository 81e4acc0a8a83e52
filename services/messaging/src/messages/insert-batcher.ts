import type { Outbox } from '@flux/server-kit';
import type { Kysely } from 'kysely';
import type { Database, MessageRow } from '../db/database.js';
import { messageCreatedJob, type MessagingOutboxEvents } from '../jobs/notifications.js';
import * as repo from './repository.js';

interface Waiting {
  message: repo.NewMessage;
  /** Its notification job goes into the outbox with it. */
  notify: boolean;
  resolve(row: MessageRow): void;
  reject(err: unknown): void;
}

/**
 * Group commit for top-level messages. Up to `concurrency` insert statements run at once; a send
 * that finds them all busy waits, and the next one to finish inserts everything that waited (at
 * most `maxBatch`) in one statement. Under load many messages then share one commit (one fsync),
 * while on a quiet instance a send goes out at once, alone, as before. Each promise settles once the statement
 * holding its message has committed, never earlier.
 */
export class MessageInserts {
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly outbox: Outbox<MessagingOutboxEvents>,
    /** Called after a commit that wrote notification jobs (wakes the outbox relay). */
    private readonly outboxWritten: () => void,
    private readonly maxBatch: number,
    private readonly concurrency = 4,
  ) {}

  /** Inserts the message with the conversation's next seq (see `insertWithNextSeq`); resolves when committed. */
  insert(message: repo.NewMessage, notify: boolean): Promise<MessageRow> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ message, notify, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    // Without grouping (maxBatch 1) nothing waits: every send has its own statement at once.
    while ((this.maxBatch === 1 || this.running < this.concurrency) && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  /** Settles every promise of the batch; never rejects. */
  private async run(batch: Waiting[]): Promise<void> {
    const [only] = batch;
    if (only && batch.length === 1) return this.one(only);
    let rows: MessageRow[];
    try {
      const jobs = batch.filter((w) => w.notify).map((w) => messageCreatedJob(w.message.id));
      rows = await repo.insertManyWithNextSeq(
        this.db,
        batch.map((w) => w.message),
        jobs.length > 0 ? this.outbox.insertManyStatement('notification', jobs) : undefined,
      );
      if (jobs.length > 0) this.outboxWritten();
    } catch {
      // One message can fail them all (a clientId sent twice): each goes again alone, for its own answer.
      await Promise.all(batch.map((w) => this.one(w)));
      return;
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const w of batch) {
      const row = byId.get(w.message.id);
      if (row) w.resolve(row);
      else w.reject(new Error(`conversation ${w.message.conversation_id} vanished while sending`));
    }
  }

  private one(w: Waiting): Promise<void> {
    const announce = w.notify ? this.outbox.insertStatement('notification', messageCreatedJob(w.message.id)) : undefined;
    return repo.insertWithNextSeq(this.db, { ...w.message, parent_id: null }, announce).then((row) => {
      if (w.notify) this.outboxWritten();
      w.resolve(row);
    }, w.reject);
  }
}
