import { Kysely, type Transaction } from 'kysely';
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

/** What a repository function takes first: the pool, or the transaction its service opened. */
export type DbOrTrx<DB> = Kysely<DB> | Transaction<DB>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical UUID string; check ids before they reach a `::uuid` cast (PostgreSQL would answer 500). */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/**
 * True when PostgreSQL refused a row for a unique constraint (SQLSTATE 23505), optionally only
 * for the named constraint, so a service can turn a race into a 409 or an idempotent answer.
 */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, constraint_name } = err as { code?: unknown; constraint_name?: unknown };
  return code === '23505' && (constraint === undefined || constraint_name === constraint);
}

/** A timestamp as the contract's ISO 8601 string; postgres.js gives Dates, raw `sql` may give strings. */
export function toIso(value: Date | string): string;
export function toIso(value: Date | string | null): string | null;
export function toIso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
