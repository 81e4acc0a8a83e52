import { AppError } from '@flux/shared';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque cursors naming the last row of a page; the query compares against that row itself. */
export const encodeIdCursor = (id: string): string => Buffer.from(id).toString('base64url');

export function decodeIdCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!UUID.test(id)) throw AppError.validation('before', 'is not a cursor from a previous page');
  return id;
}
