import fp from 'fastify-plugin';
import { OutboxRelay, type OutboxSink } from '../outbox.js';

export interface OutboxRelayPluginOptions<M> {
  /** The service's schema; its `outbox` table is relayed. */
  schema: string;
  sink: OutboxSink<M>;
  pollMs?: number;
}

/**
 * This instance's outbox relay (instances take turns through an advisory lock). Register it after
 * whatever its sink uses, so it stops first and a batch in flight finishes while the sink is open.
 */
// biome-ignore lint/suspicious/noExplicitAny: each service's sink is typed by its own outbox map; the relay only passes rows through
export const fluxOutboxRelay = fp<OutboxRelayPluginOptions<any>>(
  async (app, { schema, sink, pollMs }) => {
    const relay = new OutboxRelay({ db: app.db, sql: app.sql, schema, sink, log: app.log, pollMs });
    await relay.start();
    app.addHook('onClose', async () => {
      await relay.stop();
    });
  },
  { name: 'flux-outbox-relay', fastify: '5.x', dependencies: ['flux-db'] },
);
