import type { Caller } from '@flux/server-kit';
import { toIso } from '@flux/server-kit';
import { AppError, type Pin } from '@flux/shared';
import type { AppContext } from '../context.js';
import { readableConversation } from '../conversations/service.js';
import { hydrate, hydrateOne } from '../messages/hydrate.js';
import { visible } from '../messages/service.js';
import { authorize } from '../policies.js';
import * as repo from './repository.js';

/** Pins per conversation, as Slack caps them: past this a new pin is refused (409). */
export const MAX_PINS = 100;

/** The conversation's pinned messages (deleted ones drop out), newest pin first. */
export async function list(ctx: AppContext, caller: Caller, conversationId: string): Promise<Pin[]> {
  await readableConversation(ctx, caller, conversationId);
  const rows = await repo.list(ctx.db, conversationId, MAX_PINS);
  const messages = await hydrate(ctx.db, rows);
  return rows.flatMap((row, i) => {
    const message = messages[i];
    return message ? [{ conversationId, messageId: row.id, pinnedBy: row.pinned_by, pinnedAt: toIso(row.pinned_at), message }] : [];
  });
}

/** Pins a message of one's conversation; pinning it again answers the existing pin. The room hears a new pin. */
export async function pin(ctx: AppContext, caller: Caller, messageId: string): Promise<Pin> {
  const { row, actor } = await visible(ctx, caller, messageId);
  authorize(actor, 'message.pin', { authorId: row.sender_id });
  if (row.deleted_at) throw AppError.notFound('Message');
  const message = await hydrateOne(ctx.db, row);
  const existing = await repo.find(ctx.db, messageId);
  if (existing) return toPin(existing, message);
  // A pin or unpin reaches the whole room like a reaction, and counts like one.
  await ctx.rateLimiter.consume('reaction', caller.id);
  if ((await repo.count(ctx.db, row.conversation_id)) >= MAX_PINS)
    throw AppError.conflict('conflict', `A conversation holds at most ${MAX_PINS} pins: unpin one first.`);
  const inserted = await repo.insert(ctx.db, { message_id: messageId, conversation_id: row.conversation_id, pinned_by: caller.id });
  // A concurrent pin of the same message won: answer theirs.
  const saved = inserted ?? (await repo.find(ctx.db, messageId));
  if (!saved) throw AppError.notFound('Message');
  const result = toPin(saved, message);
  if (inserted) ctx.realtime.toConversation(row.conversation_id, 'message:pinned', result);
  return result;
}

/** Unpins (any member); unpinning what is not pinned is not an error. */
export async function unpin(ctx: AppContext, caller: Caller, messageId: string): Promise<void> {
  const { row, actor } = await visible(ctx, caller, messageId);
  authorize(actor, 'message.pin', { authorId: row.sender_id });
  if (!(await repo.find(ctx.db, messageId))) return;
  await ctx.rateLimiter.consume('reaction', caller.id);
  if (await repo.remove(ctx.db, messageId))
    ctx.realtime.toConversation(row.conversation_id, 'message:unpinned', { conversationId: row.conversation_id, messageId });
}

const toPin = (row: { conversation_id: string; message_id: string; pinned_by: string; pinned_at: Date }, message: Pin['message']): Pin => ({
  conversationId: row.conversation_id,
  messageId: row.message_id,
  pinnedBy: row.pinned_by,
  pinnedAt: toIso(row.pinned_at),
  message,
});
