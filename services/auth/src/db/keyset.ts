import { sql, type RawBuilder } from 'kysely';
import type { Cursor } from '../pagination.js';

/**
 * Keyset-paging fragments for repositories (order on (created_at, id), continue after a cursor).
 * Postgres keeps microseconds, JavaScript dates milliseconds: lists order and compare on the
 * millisecond so a cursor always round-trips.
 */
export const msOf = (column: string): RawBuilder<Date> => sql<Date>`date_trunc('milliseconds', ${sql.ref(column)})`;

/** `(ms(created_at), id) > cursor` for ascending lists, `<` for descending ones. */
export const after = (createdAt: string, id: string, cursor: Cursor, direction: 'asc' | 'desc' = 'asc'): RawBuilder<boolean> =>
  direction === 'asc'
    ? sql<boolean>`(${msOf(createdAt)}, ${sql.ref(id)}) > (${cursor.at}::timestamptz, ${cursor.id}::uuid)`
    : sql<boolean>`(${msOf(createdAt)}, ${sql.ref(id)}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`;
