import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Sql } from 'postgres';
import { createDatabase } from '../db.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The process's kysely instance. Untyped here because server-kit cannot know a service's
     * tables; a service hands it on as its own `Kysely<Database>` (`db: app.db` in AppContext)
     * and its repositories only ever see that type.
     */
    // biome-ignore lint/suspicious/noExplicitAny: narrowed to each service's Database where AppContext is built
    db: Kysely<any>;
    /** The postgres.js pool under `db`, for health checks and the odd raw statement. */
    sql: Sql;
  }
}

export interface DbPluginOptions {
  url: string;
  poolSize?: number;
}

/** `app.db` and `app.sql` over one pool, ended when the app closes (after every plugin registered later). */
export const fluxDb = fp<DbPluginOptions>(
  async (app, { url, poolSize }) => {
    const { db, sql } = createDatabase(url, poolSize);
    app.decorate('db', db);
    app.decorate('sql', sql);
    app.addHook('onClose', async () => {
      // Bounded: with PostgreSQL away a connection may never settle, and shutdown must not wait for it.
      await sql.end({ timeout: 5 });
      await db.destroy();
    });
  },
  { name: 'flux-db', fastify: '5.x' },
);
