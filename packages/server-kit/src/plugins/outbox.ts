import fp from 'fastify-plugin';
import { sql } from 'kysely';
import { scrapedGauge } from '../metrics.js';
import { OutboxRelay, type OutboxSink } from '../outbox.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's outbox relay; `wake()` asks for a drain now (for an outbox whose inserts do not NOTIFY). */
    outboxRelay: Pick<OutboxRelay<unknown>, 'wake'>;
  }
}

export interface OutboxRelayPluginOptions<M> {
  /** The service's schema; its `outbox` table is relayed. */
  schema: string;
  /** The deployment's REDIS_PREFIX, as given to `createOutbox` (default ''). */
  deployment?: string;
  sink: OutboxSink<M>;
  pollMs?: number;
}

/**
 * This instance's outbox relay (instances take turns through an advisory lock). Register it after
 * whatever its sink uses, so it stops first and a batch in flight finishes while the sink is open.
 */
// biome-ignore lint/suspicious/noExplicitAny: each service's sink is typed by its own outbox map; the relay only passes rows through
export const fluxOutboxRelay = fp<OutboxRelayPluginOptions<any>>(
  async (app, { schema, deployment, sink, pollMs }) => {
    const relay = new OutboxRelay({ db: app.db, sql: app.sql, schema, deployment, sink, log: app.log, pollMs });
    // Read from the table, not the relay: the lag is the same whichever instance holds the lock.
    const outbox = sql.table(`${schema}.outbox`);
    scrapedGauge(app.metrics, 'outbox_events_pending', 'Events written to the outbox and not yet relayed', ['schema'], async (set) => {
      const { rows } = await sql<{ pending: string }>`select count(*) as pending from ${outbox}`.execute(app.db);
      set({ schema }, Number(rows[0]?.pending ?? 0));
    });
    scrapedGauge(
      app.metrics,
      'outbox_oldest_event_seconds',
      'Age of the oldest event not yet relayed (0 when the outbox is empty): the outbox lag',
      ['schema'],
      async (set) => {
        const { rows } = await sql<{
          age: number | null;
        }>`select extract(epoch from now() - min(created_at))::float8 as age from ${outbox}`.execute(app.db);
        set({ schema }, rows[0]?.age ?? 0);
      },
    );
    await relay.start();
    app.decorate('outboxRelay', relay);
    app.addHook('onClose', async () => {
      await relay.stop();
    });
  },
  { name: 'flux-outbox-relay', fastify: '5.x', dependencies: ['flux-db', 'flux-metrics'] },
);
