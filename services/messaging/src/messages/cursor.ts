import { isUuid } from '@flux/server-kit';
import { AppError } from '@flux/shared';

/** Opaque cursors naming the last row of a page; the query compares against that row itself. */
export const encodeIdCursor = (id: string): string => Buffer.from(id).toString('base64url');

export function decodeIdCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!isUuid(id)) throw AppError.validation('before', 'is not a cursor from a previous page');
  return id;
}
