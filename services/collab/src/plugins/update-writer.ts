import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { liveGauge } from '../metrics.js';
import { UpdateWriter } from '../persistence/update-writer.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Batched, ordered appends to the update log. */
    updateWriter: UpdateWriter;
  }
}

export const updateWriterPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const db: Kysely<Database> = app.db;
    const writer = new UpdateWriter(db, app.log, config.flushIntervalMs, app.collabMetrics.flushes);
    writer.onFlushed((batch) => app.documentActivity.onFlushed(batch));
    liveGauge(app.metrics, 'collab_persistence_lag_seconds', 'Age of the oldest accepted update not yet written to PostgreSQL', () =>
      writer.lagSeconds(),
    );
    liveGauge(app.metrics, 'collab_pending_updates', 'Accepted updates waiting for the next write', () => writer.pendingCount);
    app.decorate('updateWriter', writer);
    // Closes after the rooms (registered later): their unload flushes go through this writer first.
    app.addHook('onClose', () => writer.close());
  },
  { name: 'collab-update-writer', fastify: '5.x', dependencies: ['flux-db', 'flux-metrics', 'collab-metrics', 'collab-document-activity'] },
);
