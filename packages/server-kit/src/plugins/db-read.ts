import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { createDatabase } from '../db.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * kysely for reads that may lag the primary by a moment (history pages, search, lists): a
     * replica's pool when DATABASE_REPLICA_URL is set, else `app.db` itself. Never for a read that
     * must see the caller's own write just made, nor inside a transaction.
     */
    // biome-ignore lint/suspicious/noExplicitAny: narrowed to each service's Database where AppContext is built
    dbRead: Kysely<any>;
  }
}

export interface DbReadPluginOptions {
  /** the replica; unset, `app.dbRead` is `app.db` */
  url?: string;
  poolSize?: number;
}

/** `app.dbRead`: the read replica's pool (ended when the app closes), or the primary's. */
export const fluxDbRead = fp<DbReadPluginOptions>(
  async (app, { url, poolSize }) => {
    if (!url) {
      app.decorate('dbRead', app.db);
      return;
    }
    const { db, sql } = createDatabase(url, poolSize);
    app.decorate('dbRead', db);
    app.addHook('onClose', async () => {
      await sql.end({ timeout: 5 });
      await db.destroy();
    });
  },
  { name: 'flux-db-read', fastify: '5.x', dependencies: ['flux-db'] },
);
