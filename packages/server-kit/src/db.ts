import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres, { type Sql } from 'postgres';

export interface Database<DB> {
  db: Kysely<DB>;
  sql: Sql;
}

/** One pool per process: postgres.js underneath, kysely on top; `db.destroy()` ends both. */
export function createDatabase<DB>(url: string, max = 10): Database<DB> {
  const sql = postgres(url, { max, connect_timeout: 5, idle_timeout: 60, onnotice: () => {} });
  return { sql, db: new Kysely<DB>({ dialect: new PostgresJSDialect({ postgres: sql }) }) };
}
