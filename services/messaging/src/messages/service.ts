import { randomUUID } from 'node:crypto';
import { type Caller, isUniqueViolation, isUuid, toIso } from '@flux/server-kit';
import { AppError, type FileInfo, type Message, type ReactionSummary, type ReadState, type SendMessageBody } from '@flux/shared';
import type { AppContext } from '../context.js';
import type { MessageRow } from '../db/database.js';
import * as conversations from '../conversations/repository.js';
import { findOrJoinMembership, readableConversation } from '../conversations/service.js';
import { authorize } from '../policies.js';
import { decodeIdCursor, encodeIdCursor } from './cursor.js';
import { isEmoji } from './emoji.js';
import { hydrate, hydrateOne } from './hydrate.js';
import type { PageBody, PageCache } from './page-cache.js';
import { summarizeReactions, toFileInfo, toMessage } from './mappers.js';
import * as repo from './repository.js';
import * as filesRepo from '../files/repository.js';
import { messageCreatedJob } from '../jobs/notifications.js';
import { messageMayNotify } from '../notifications/service.js';

export const SYNC_LIMIT = 1000;
/** How far back (in seqs) sync looks for edits and deletions of messages the client already had. */
export const SYNC_CHANGE_WINDOW = 500;

function checkLength(ctx: AppContext, content: string): void {
  if (content.trim().length === 0) throw AppError.validation('content', 'must not be empty');
  if (content.length > ctx.config.maxMessageLength) {
    throw new AppError('message_too_long', 413, `A message holds at most ${ctx.config.maxMessageLength} characters.`, {
      field: 'content',
      maxLength: ctx.config.maxMessageLength,
    });
  }
}

/**
 * Sends a message: the seq is taken and the row inserted (with its notification job) atomically,
 * so an answer means it is committed and durable, and seqs have no gaps. A repeated `clientId` returns the first message
 * (`created: false`) instead of a duplicate. Broadcasts and notifications happen after commit.
 */
export async function send(
  ctx: AppContext,
  caller: Caller,
  conversationId: string,
  body: SendMessageBody,
  via: 'rest' | 'socket' = 'rest',
): Promise<{ message: Message; created: boolean }> {
  checkLength(ctx, body.content);
  // Two independent checks in one round of waiting (the membership row, the rate limit in one
  // Redis script). A retry (known clientId) wins over both refusals, so it is never refused for
  // the rate limit its first attempt used up; on the common path a retry is caught by the
  // insert's unique key instead, which saves looking the clientId up before every message.
  const [membership, budget] = await Promise.allSettled([
    readableConversation(ctx, caller, conversationId),
    ctx.rateLimiter.consume('message', caller.id),
  ]);
  if (membership.status === 'rejected' || budget.status === 'rejected') {
    const earlier = await repo.findByClientId(ctx.db, caller.id, body.clientId);
    if (earlier) return { message: await sameRequest(ctx, earlier, conversationId), created: false };
    throw membership.status === 'rejected' ? membership.reason : (budget as PromiseRejectedResult).reason;
  }

  let row: MessageRow;
  let files: FileInfo[] = [];
  const id = randomUUID();
  const values = {
    id,
    conversation_id: conversationId,
    sender_id: caller.id,
    client_id: body.clientId,
    content: body.content,
    parent_id: null as string | null,
  };
  // Its notification job goes into the outbox in the same statement as the message, when it can notify anyone.
  const notify = messageMayNotify(membership.value.conversation.type, body.content);
  try {
    if (!body.parentId && !body.attachments?.length) {
      // The common case: the seq, the row, the read position and the outbox event in one
      // statement, atomic without a transaction block: one round trip, and committed (durable)
      // when it answers, before anyone is told. Under load concurrent sends share the statement.
      row = await ctx.messageInserts.insert(values, notify);
    } else {
      const announce = notify ? ctx.outbox.insertStatement('notification', messageCreatedJob(id)) : undefined;
      row = await ctx.db.transaction().execute(async (trx) => {
        if (body.parentId) {
          const parent = await repo.findById(trx, body.parentId);
          if (!parent || parent.conversation_id !== conversationId || parent.deleted_at)
            throw AppError.validation('parentId', 'no such message in this conversation');
          // Threads are one level deep, as in Slack and Mattermost: a reply to a reply joins the root's thread.
          values.parent_id = parent.parent_id ?? parent.id;
        }
        const attachments = body.attachments ?? [];
        if (attachments.length > 0) {
          const owned = await filesRepo.findOwned(trx, caller.id, attachments);
          if (owned.length !== attachments.length) throw AppError.validation('attachments', 'only files you uploaded can be attached');
          // In the order the client listed them (the query's order is arbitrary).
          const byId = new Map(owned.map((f) => [f.id, f]));
          files = attachments.flatMap((id) => {
            const file = byId.get(id);
            return file ? [toFileInfo(file)] : [];
          });
        }
        const inserted = await repo.insertWithNextSeq(trx, values, announce);
        if (values.parent_id) await repo.changeReplyCount(trx, values.parent_id, 1);
        await repo.attach(trx, inserted.id, attachments);
        return inserted;
      });
      // Committed: wake the relay for its job (the batched path above wakes it itself).
      if (notify) ctx.outboxWritten();
    }
  } catch (err) {
    // The same clientId raced in twice: the loser's statement (and its seq) rolled back.
    if (!isUniqueViolation(err, 'messages_client_key')) throw err;
    const winner = await repo.findByClientId(ctx.db, caller.id, body.clientId);
    if (!winner) throw err; // the conflicting row is committed: it cannot be missing
    return { message: await sameRequest(ctx, winner, conversationId), created: false };
  }

  ctx.metrics.messagesSent.inc({ via });
  // Everything the DTO needs is at hand: a new message has no reactions yet.
  const message = toMessage(row, { author: { id: caller.id, name: caller.name }, attachments: files, reactions: [] });
  ctx.realtime.toConversation(conversationId, 'message:new', message);
  if (row.parent_id) await broadcastUpdated(ctx, row.parent_id);
  return { message, created: true };
}

/** A retry must name the same conversation; a clientId reused elsewhere is a client bug. */
async function sameRequest(ctx: AppContext, earlier: MessageRow, conversationId: string): Promise<Message> {
  if (earlier.conversation_id !== conversationId)
    throw AppError.conflict('client_id_reused', 'This clientId was already used for another message.');
  return hydrateOne(ctx.db, earlier);
}

async function broadcastUpdated(ctx: AppContext, messageId: string): Promise<Message | undefined> {
  const row = await repo.findById(ctx.db, messageId);
  if (!row) return undefined;
  const message = await hydrateOne(ctx.db, row);
  ctx.realtime.toConversation(row.conversation_id, 'message:updated', message);
  return message;
}

/**
 * A history page as its JSON body (`Page<Message>`), built by the database and kept in `pages`
 * while the conversation's page version stays the same. Membership is checked on every read.
 */
export async function list(
  ctx: AppContext,
  pages: PageCache,
  caller: Caller,
  conversationId: string,
  query: { before?: string; limit: number; parentId?: string },
): Promise<PageBody> {
  await readableConversation(ctx, caller, conversationId);
  const page = await pages.read(conversationId, {
    before: query.before === undefined ? undefined : Number(query.before),
    limit: query.limit,
    parentId: query.parentId,
  });
  if (!page) throw AppError.notFound('Conversation');
  return page;
}

/** A message the caller can see (member of its conversation), else 404. */
export async function visible(ctx: AppContext, caller: Caller, messageId: string) {
  const row = await repo.findById(ctx.db, messageId);
  if (!row) throw AppError.notFound('Message');
  // Any failure to establish membership (even auth being unreachable for a project channel) hides the message.
  const membership = await findOrJoinMembership(ctx, row.conversation_id, caller.id).catch(() => undefined);
  const actor = membership?.actor ?? { id: caller.id, role: null };
  authorize(actor, 'message.read', { authorId: row.sender_id });
  return { row, actor };
}

export async function edit(ctx: AppContext, caller: Caller, messageId: string, content: string): Promise<Message> {
  const { row, actor } = await visible(ctx, caller, messageId);
  authorize(actor, 'message.edit', { authorId: row.sender_id });
  if (row.deleted_at) throw AppError.notFound('Message');
  checkLength(ctx, content);
  await ctx.rateLimiter.consume('edit', caller.id);
  const updated = await repo.updateContent(ctx.db, messageId, content);
  if (!updated) throw AppError.notFound('Message');
  const message = await hydrateOne(ctx.db, updated);
  ctx.realtime.toConversation(row.conversation_id, 'message:updated', message);
  return message;
}

/** Soft delete by the author or a conversation admin; the seq stays so nobody sees a gap. */
export async function remove(ctx: AppContext, caller: Caller, messageId: string): Promise<void> {
  const { row, actor } = await visible(ctx, caller, messageId);
  authorize(actor, 'message.delete', { authorId: row.sender_id });
  if (row.deleted_at) return; // already gone: deleting twice is not an error
  const deleted = await ctx.db.transaction().execute(async (trx) => {
    const result = await repo.softDelete(trx, messageId);
    if (result?.parent_id) await repo.changeReplyCount(trx, result.parent_id, -1);
    return result;
  });
  if (!deleted) return;
  ctx.realtime.toConversation(row.conversation_id, 'message:deleted', {
    id: deleted.id,
    conversationId: deleted.conversation_id,
    seq: Number(deleted.seq),
    deletedAt: toIso(deleted.deleted_at),
  });
  if (deleted.parent_id) await broadcastUpdated(ctx, deleted.parent_id);
}

/**
 * Adds or removes the caller's reaction. Emoji only (one per reaction), at most
 * `maxReactionsPerMessage` distinct ones per message, rate-limited per user. The room hears only
 * the changed emoji's summary; the caller gets the whole list.
 */
export async function react(ctx: AppContext, caller: Caller, messageId: string, emoji: string, add: boolean) {
  if (!isEmoji(emoji)) throw AppError.validation('emoji', 'must be a single emoji');
  const { row, actor } = await visible(ctx, caller, messageId);
  authorize(actor, 'message.react', { authorId: row.sender_id });
  if (row.deleted_at) throw AppError.notFound('Message');
  await ctx.rateLimiter.consume('reaction', caller.id);
  if (add) {
    const added = await ctx.db.transaction().execute(async (trx) => {
      // Serialises reactions to this message, so two new emoji cannot both take the last place.
      await repo.lockForReactions(trx, messageId);
      return repo.addReactionWithin(trx, messageId, caller.id, emoji, ctx.config.maxReactionsPerMessage);
    });
    if (!added)
      throw AppError.conflict('too_many_reactions', `A message carries at most ${ctx.config.maxReactionsPerMessage} different emoji.`);
  } else await repo.removeReaction(ctx.db, messageId, caller.id, emoji);
  const reactions: ReactionSummary[] = summarizeReactions(await repo.reactionRows(ctx.db, [messageId]));
  const reaction = reactions.find((r) => r.emoji === emoji) ?? { emoji, count: 0, userIds: [] };
  ctx.realtime.toConversation(row.conversation_id, 'reaction:updated', { messageId, conversationId: row.conversation_id, reaction });
  return { messageId, conversationId: row.conversation_id, reactions };
}

/** Moves the caller's read position forward (never back) and tells the conversation. */
export async function markRead(ctx: AppContext, caller: Caller, conversationId: string, seq: number): Promise<ReadState> {
  await readableConversation(ctx, caller, conversationId);
  const updated = await conversations.markRead(ctx.db, conversationId, caller.id, seq);
  const lastReadSeq = Number(updated?.last_read_seq ?? 0);
  ctx.realtime.toConversation(conversationId, 'read', { conversationId, userId: caller.id, seq: lastReadSeq });
  return { conversationId, lastReadSeq, unreadCount: await conversations.unreadCount(ctx.db, conversationId, caller.id, lastReadSeq) };
}

export async function search(
  ctx: AppContext,
  caller: Caller,
  query: { q: string; conversationId?: string; limit: number; before?: string },
): Promise<{ items: Message[]; nextCursor: string | null }> {
  const rows = await repo.search(ctx.dbRead, caller.id, {
    q: query.q,
    conversationId: query.conversationId,
    limit: query.limit + 1,
    before: query.before ? decodeIdCursor(query.before) : undefined,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { items: await hydrate(ctx.dbRead, page), nextCursor: rows.length > query.limit && last ? encodeIdCursor(last.id) : null };
}

/**
 * What a reconnecting client missed: `messages` after each last seen seq (in its own
 * conversations, oldest first) and, separately, `updated`: older messages edited or deleted since.
 *
 * An answer stops at `syncMaxBytes` (of JSON) with `hasMore: true`; the client syncs again from the
 * last message it got. Conversations go in order, each with its `updated` first, then its new
 * messages; a conversation's `updated` is never split, so nothing is skipped and nothing loops: a
 * conversation the answer did not reach keeps its position and comes first in the next one. At
 * least one conversation's changes or one message always fit, so every answer makes progress.
 */
export async function sync(
  ctx: AppContext,
  caller: Caller,
  positions: Record<string, number>,
): Promise<{ messages: Message[]; hasMore: boolean; updated: Message[] }> {
  await ctx.rateLimiter.consume('sync', caller.id);
  const valid = Object.fromEntries(Object.entries(positions).filter(([id]) => isUuid(id)));
  if (Object.keys(valid).length === 0) return { messages: [], hasMore: false, updated: [] };
  const [newer, changed] = await Promise.all([
    repo.since(ctx.db, caller.id, valid, { limit: SYNC_LIMIT, maxBytes: ctx.config.syncMaxBytes }),
    repo.changedBefore(ctx.db, caller.id, valid, SYNC_CHANGE_WINDOW, SYNC_LIMIT),
  ]);
  const [fresh, edits] = await Promise.all([hydrate(ctx.db, newer.rows), hydrate(ctx.db, changed)]);
  // At the row limit the last conversation's changes may be cut short: leave it for the next answer
  // (one conversation has at most SYNC_CHANGE_WINDOW < SYNC_LIMIT changes, so it is never the first).
  const unfinished = changed.length >= SYNC_LIMIT ? changed.at(-1)?.conversation_id : undefined;
  const page = withinBudget(fresh, edits, ctx.config.syncMaxBytes, unfinished);
  return { ...page, hasMore: page.hasMore || newer.more };
}

const jsonBytes = (message: Message): number => Buffer.byteLength(JSON.stringify(message));

/** Packs conversations (their changes, then their new messages) into `budget` bytes; see `sync`. */
function withinBudget(fresh: Message[], edits: Message[], budget: number, unfinished: string | undefined) {
  const byConversation = new Map<string, { fresh: Message[]; edits: Message[] }>();
  const entry = (id: string) => {
    const found = byConversation.get(id) ?? { fresh: [], edits: [] };
    byConversation.set(id, found);
    return found;
  };
  for (const message of fresh) entry(message.conversationId).fresh.push(message);
  for (const message of edits) entry(message.conversationId).edits.push(message);

  const page = { messages: [] as Message[], updated: [] as Message[], hasMore: false };
  let used = 0;
  const empty = () => page.messages.length === 0 && page.updated.length === 0;
  // The database's order (uuid order is the order of the lowercase text).
  const ids = [...byConversation.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of ids) {
    const conversation = entry(id);
    const editBytes = conversation.edits.reduce((sum, m) => sum + jsonBytes(m), 0);
    if (id === unfinished || (!empty() && used + editBytes > budget)) return { ...page, hasMore: true };
    page.updated.push(...conversation.edits);
    used += editBytes;
    for (const message of conversation.fresh) {
      const bytes = jsonBytes(message);
      if (!empty() && used + bytes > budget) return { ...page, hasMore: true };
      page.messages.push(message);
      used += bytes;
    }
  }
  return page;
}
