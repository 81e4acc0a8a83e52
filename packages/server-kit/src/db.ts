import { Kysely, type Transaction } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres, { type ReservedSql, type Sql } from 'postgres';

export interface Database<DB> {
  db: Kysely<DB>;
  sql: Sql;
}

/**
 * One pool per process: postgres.js underneath, kysely on top; `db.destroy()` ends both.
 * A connection attempt gives up after one second, so with PostgreSQL unreachable a query fails
 * (and the request answers 503, see isDatabaseUnavailable) instead of hanging.
 */
export function createDatabase<DB>(url: string, max = 10): Database<DB> {
  const sql = postgres(url, {
    max,
    connect_timeout: 1,
    idle_timeout: 60,
    // postgres.js waits up to 20 s between attempts once many have failed; at most a second here, so
    // the service is back within about a second of PostgreSQL (a refused connect costs nothing).
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    onnotice: () => {},
  });
  return { sql, db: new Kysely<DB>({ dialect: new PostgresJSDialect({ postgres: withReserveGuard(sql) }) }) };
}

/** How long a query waits for a pooled connection: short while PostgreSQL is known to be down. */
const RESERVE_WAIT_MS = { down: 1_000, up: 10_000 };

/**
 * kysely takes every connection through `sql.reserve()`, which waits for as long as PostgreSQL
 * refuses connections. The guard bounds that wait (one second once a connection error has been
 * seen, ten seconds otherwise, since a busy pool is no outage), so a request answers 503 instead of
 * hanging; a connection that turns up late goes straight back to the pool.
 */
function withReserveGuard(sql: Sql): Sql {
  let knownDown = false;
  const reserve = async () => {
    let timer: NodeJS.Timeout | undefined;
    const reserving = sql.reserve();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('no database connection became available in time'), { code: 'CONNECT_TIMEOUT' })),
        knownDown ? RESERVE_WAIT_MS.down : RESERVE_WAIT_MS.up,
      );
    });
    try {
      const connection = await Promise.race([reserving, timeout]);
      knownDown = false;
      return watched(connection);
    } catch (err) {
      if (isDatabaseUnavailable(err)) knownDown = true;
      reserving.then(
        (late) => late.release(),
        () => {},
      );
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
  // A statement that fails on a connection PostgreSQL dropped marks the database down too.
  const watched = (connection: ReservedSql): ReservedSql =>
    new Proxy(connection, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'unsafe') return value;
        return (...args: Parameters<ReservedSql['unsafe']>) => {
          const query = target.unsafe(...args);
          query.catch((err: unknown) => {
            if (isDatabaseUnavailable(err)) knownDown = true;
          });
          return query;
        };
      },
    });
  return new Proxy(sql, {
    get: (target, property, receiver) => (property === 'reserve' ? reserve : Reflect.get(target, property, receiver)),
  });
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

/** postgres.js's own connection failures and the socket errors it passes through. */
const connectionCodes = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * SQLSTATEs of a server that is going away or not back yet: admin_shutdown, crash_shutdown,
 * cannot_connect_now (starting up or in recovery), too_many_connections.
 */
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * True when a query failed because PostgreSQL could not be reached (stopped, restarting, out of
 * connections) rather than because of the query: the request should answer 503 and be retried.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code } = err as { code?: unknown };
  return typeof code === 'string' && (connectionCodes.has(code) || unavailableStates.has(code));
}

/** A timestamp as the contract's ISO 8601 string; postgres.js gives Dates, raw `sql` may give strings. */
export function toIso(value: Date | string): string;
export function toIso(value: Date | string | null): string | null;
export function toIso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
