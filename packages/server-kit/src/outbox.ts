import type { FastifyBaseLogger } from 'fastify';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Sql } from 'postgres';
import type { DbOrTrx } from './db.js';

/**
 * The transactional outbox. A service writes an event into `<schema>.outbox` with the same
 * transaction as the change it announces, so the event exists exactly when the change does; a
 * relay hands committed events on (to a Redis stream, a BullMQ queue) at least once and deletes
 * them. Table layout: migrations/sql/<schema>/0002_outbox.sql.
 */

/** An event as it sits in the outbox; `id` is what consumers deduplicate on. */
export interface OutboxEvent<M = Record<string, unknown>> {
  id: string;
  name: keyof M & string;
  payload: M[keyof M];
  createdAt: Date;
}

/** The NOTIFY channel the outbox's insert trigger signals on. */
export const outboxChannel = (schema: string): string => `${schema}_outbox`;

export interface Outbox<M> {
  /** Writes an event; pass the transaction of the change it announces. Resolves with the event id. */
  add<N extends keyof M & string, DB>(db: DbOrTrx<DB>, name: N, payload: M[N]): Promise<string>;
  /**
   * The event's insert as an `insert … select <values>` to embed (a data-modifying CTE) in the one
   * statement that makes the change: atomic with it, one round trip for both, and made
   * conditional by appending a `from`/`where` (e.g. `from inserted`: only if the change happened).
   */
  insertStatement<N extends keyof M & string>(name: N, payload: M[N]): RawBuilder<unknown>;
  /** Several events of one name as one `insert … select` to embed the same way (e.g. a batch of messages' jobs). */
  insertManyStatement<N extends keyof M & string>(name: N, payloads: readonly M[N][]): RawBuilder<unknown>;
}

/**
 * The writing half, typed by the events this service may put in its outbox. `deployment` (the
 * REDIS_PREFIX) is stored with each row and only relays of the same deployment move it: two
 * deployments sharing one database (test files with prefixes of their own) never take each
 * other's events into the wrong streams.
 */
export function createOutbox<M>(schema: string, deployment = ''): Outbox<M> {
  const table = sql.table(`${schema}.outbox`);
  const insertStatement = (name: string, payload: unknown) =>
    sql`insert into ${table} (name, payload) select ${name}, ${JSON.stringify({ deployment, event: payload })}::text::jsonb`;
  return {
    insertStatement,
    insertManyStatement: (name, payloads) =>
      sql`insert into ${table} (name, payload) select ${name}, event::jsonb from unnest(${payloads.map((event) => JSON.stringify({ deployment, event }))}::text[]) as event`,
    async add(db, name, payload) {
      const { rows } = await sql<{ id: string }>`${insertStatement(name, payload)} returning id`.execute(db as Kysely<unknown>);
      const row = rows[0];
      if (!row) throw new Error('outbox insert returned no row');
      return row.id;
    },
  };
}

/** Hands a batch of committed events on; throwing leaves them in the outbox for the next try. */
export type OutboxSink<M> = (events: OutboxEvent<M>[]) => Promise<void>;

export interface OutboxRelayOptions<M> {
  // biome-ignore lint/suspicious/noExplicitAny: the relay only runs raw SQL on the service's own outbox table
  db: Kysely<any>;
  /** The postgres.js pool under `db`, for LISTEN. */
  sql: Sql;
  schema: string;
  /** Relays only the rows written with this deployment (`createOutbox(schema, deployment)`). */
  deployment?: string;
  sink: OutboxSink<M>;
  log: FastifyBaseLogger;
  /** A fallback poll, for a NOTIFY missed while the listening connection was away. */
  pollMs?: number;
  batchSize?: number;
}

const RETRY_MAX_MS = 5_000;

/**
 * Moves committed outbox events to their sink, in order, at least once. Every instance runs one;
 * a transaction-scoped advisory lock lets exactly one of them work a batch at a time (so events
 * leave in the order they were written), and rows are deleted in the transaction that read them:
 * a relay that dies after the sink accepted a batch but before its commit sends it again, which
 * consumers absorb by event id. Woken by the outbox trigger's NOTIFY, with a short poll behind it.
 */
export class OutboxRelay<M> {
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly lockKey: string;
  private readonly deployment: string;
  private poller: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private failures = 0;
  private stopped = true;

  constructor(private readonly options: OutboxRelayOptions<M>) {
    this.pollMs = options.pollMs ?? 500;
    this.batchSize = options.batchSize ?? 100;
    this.deployment = options.deployment ?? '';
    this.lockKey = `flux-outbox:${options.schema}:${this.deployment}`;
  }

  async start(): Promise<void> {
    this.stopped = false;
    try {
      const { unlisten } = await this.options.sql.listen(outboxChannel(this.options.schema), () => this.wake());
      this.unlisten = unlisten;
    } catch (err) {
      // PostgreSQL is away at boot: the poll still relays once it is back.
      this.options.log.warn({ err }, 'outbox relay could not LISTEN; polling only');
    }
    this.poller = setInterval(() => this.wake(), this.pollMs);
    this.poller.unref();
    this.wake();
  }

  /** Asks for a drain now; one that is running goes round once more. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Relays until the outbox is empty (or another instance holds the lock). Resolves with how many this call relayed. */
  async drain(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const moved = await this.relayBatch();
        if (moved === 'busy') {
          // Another instance is relaying; it may have read before our event committed, so look again soon.
          this.later(50);
          break;
        }
        total += moved;
        if (moved < this.batchSize) break;
      }
      if (this.failures > 0) this.options.log.info({ schema: this.options.schema }, 'outbox relay recovered');
      this.failures = 0;
    } catch (err) {
      this.failures++;
      if (this.failures === 1)
        this.options.log.warn({ err, schema: this.options.schema }, 'outbox relay failed; events stay until it succeeds');
      this.later(Math.min(RETRY_MAX_MS, 100 * 2 ** this.failures));
    }
    return total;
  }

  private relayBatch(): Promise<number | 'busy'> {
    const table = sql.table(`${this.options.schema}.outbox`);
    return this.options.db.transaction().execute(async (trx) => {
      const { rows: lock } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(${this.lockKey})) as locked`.execute(
        trx,
      );
      if (!lock[0]?.locked) return 'busy';
      const { rows } = await sql<{ id: string; name: keyof M & string; payload: M[keyof M]; created_at: Date }>`
        select id, name, payload->'event' as payload, created_at from ${table}
        where payload->>'deployment' = ${this.deployment} order by seq limit ${this.batchSize}`.execute(trx);
      if (rows.length === 0) return 0;
      await this.options.sink(rows.map((row) => ({ id: row.id, name: row.name, payload: row.payload, createdAt: row.created_at })));
      await sql`delete from ${table} where id in (${sql.join(rows.map((row) => row.id))})`.execute(trx);
      return rows.length;
    });
  }

  private later(ms: number): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.wake();
    }, ms);
    this.retry.unref();
  }

  /** Stops waking and waits for a batch in progress (its rows commit or stay). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poller);
    clearTimeout(this.retry);
    await this.unlisten?.().catch(() => {});
    await this.running;
  }
}
