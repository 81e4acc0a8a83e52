import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { type Compaction, createCompaction } from '../jobs/compaction.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The compaction queue (and, unless disabled, its worker). */
    compaction: Compaction;
  }
}

export const compactionPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const db: Kysely<Database> = app.db;
    const compaction = createCompaction(config, db, app.log, app.metrics);
    app.decorate('compaction', compaction);
    app.addHook('onClose', () => compaction.close());
  },
  { name: 'collab-compaction', fastify: '5.x', dependencies: ['flux-db', 'flux-metrics'] },
);
