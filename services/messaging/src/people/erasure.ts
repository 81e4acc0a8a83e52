import { DELETED_USER_NAME } from '@flux/shared';
import type { AppContext } from '../context.js';

/**
 * `user.erased` (durable: auth's outbox → stream, once per deployment, retried): the projection's
 * copy of the name and address become the tombstone's, so their messages show "Deleted user" even
 * if the `user.updated` broadcast was missed. Idempotent.
 */
export const onUserErased = (ctx: AppContext, { userId }: { userId: string }) =>
  ctx.users.upsert({ id: userId, name: DELETED_USER_NAME, email: `deleted-${userId}@deleted.invalid` });
