import { AppError, type Page } from '@flux/shared';

/** A keyset position: the (created_at, id) of the last row of a page. */
export interface Cursor {
  at: Date;
  id: string;
}

export interface PageRequest {
  cursor?: Cursor;
  limit: number;
}

export const encodeCursor = (at: Date, id: string): string => Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined) return undefined;
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id))
    throw AppError.validation('cursor', 'is not a cursor from this list');
  return { at, id };
}

export const pageRequest = (query: { cursor?: string; limit: number }): PageRequest => ({
  cursor: decodeCursor(query.cursor),
  limit: query.limit,
});

/** Rows fetched with `limit + 1` → the page and the cursor of its last row when more follow. */
export function toPage<R, T>(rows: R[], limit: number, key: (row: R) => [Date, string], map: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(...key(last)) : null };
}
