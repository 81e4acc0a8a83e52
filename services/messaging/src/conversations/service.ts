import type { Caller } from '@flux/server-kit';
import { AppError, canManageMembers, type Conversation, type CreateConversationBody, type EventMap, type Role } from '@flux/shared';
import type { AppContext } from '../context.js';
import type { ConversationRow } from '../db/database.js';
import { membersAddedJob } from '../jobs/notifications.js';
import { type Actor, authorize } from '../policies.js';
import { toMember } from './mappers.js';
import { present, presentOne } from './presenter.js';
import * as repo from './repository.js';

const roleInProject = (role: Role): repo.MemberRole => (canManageMembers(role) ? 'admin' : 'member');
export const directKey = (a: string, b: string): string => (a < b ? `${a}:${b}` : `${b}:${a}`);

/** A conversation and the caller as the policies see them there. */
export interface Membership {
  conversation: ConversationRow;
  actor: Actor;
}

/**
 * The user's membership in a conversation (role null: not a member), undefined when it does not
 * exist. Project conversations follow the project, so this may INSERT a membership: someone with
 * access who is not yet a member (the membership event was missed, or they joined before the
 * channel existed) joins on first use.
 */
export async function findOrJoinMembership(ctx: AppContext, conversationId: string, userId: string): Promise<Membership | undefined> {
  const found = await findWithMember(ctx, conversationId, userId);
  if (!found) return undefined;
  const { conversation, member } = found;
  if (member && conversation.type === 'project' && conversation.project_id) {
    // Members of a project conversation are re-checked against the project (answers cached
    // ≤ 30 s, dropped by membership.changed): a removal whose event was lost still takes effect.
    // While auth is unreachable an existing member keeps access (the membership event still applies).
    const access = await ctx.projectAccess.get(conversation.project_id, userId).catch((err: unknown) => {
      ctx.log.warn({ err, conversationId }, 'project access not re-checked: auth unreachable');
      return undefined;
    });
    if (access !== undefined && !access?.role) {
      await leaveProjectConversation(ctx, conversationId, userId);
      return { conversation, actor: { id: userId, role: null } };
    }
  }
  if (member) return { conversation, actor: { id: userId, role: member.role } };
  if (conversation.type === 'project' && conversation.project_id) {
    const access = await ctx.projectAccess.get(conversation.project_id, userId);
    if (access?.role) {
      await repo.addMembers(ctx.db, conversationId, [{ userId, role: roleInProject(access.role) }]);
      ctx.realtime.join([userId], conversationId);
      const joined = await repo.findMember(ctx.db, conversationId, userId);
      if (joined) return { conversation, actor: { id: userId, role: joined.role } };
    }
  }
  return { conversation, actor: { id: userId, role: null } };
}

/** The conversation and the user's membership row: a member's from the cache when it holds them (see MembershipCache). */
async function findWithMember(ctx: AppContext, conversationId: string, userId: string) {
  const cached = ctx.membershipCache.get(conversationId, userId);
  if (cached) return cached;
  const since = ctx.membershipCache.version();
  const found = await repo.findWithMember(ctx.db, conversationId, userId);
  if (found?.member) ctx.membershipCache.set({ conversation: found.conversation, member: found.member }, since);
  return found;
}

/** The caller's membership in a conversation they may read; 404 otherwise (a non-member must not learn it exists). */
export async function readableConversation(ctx: AppContext, caller: Caller, conversationId: string): Promise<Membership> {
  const membership = await findOrJoinMembership(ctx, conversationId, caller.id);
  if (!membership) throw AppError.notFound('Conversation');
  authorize(membership.actor, 'conversation.read', membership.conversation);
  return membership;
}

export const list = (ctx: AppContext, caller: Caller): Promise<Conversation[]> => present(ctx.db, caller.id);

export async function get(ctx: AppContext, caller: Caller, id: string): Promise<Conversation> {
  await readableConversation(ctx, caller, id);
  const conversation = await presentOne(ctx.db, caller.id, id);
  if (!conversation) throw AppError.notFound('Conversation');
  return conversation;
}

/** Creates a conversation, or returns the existing one for a direct pair or a project (`created: false`). */
export async function create(
  ctx: AppContext,
  caller: Caller,
  body: CreateConversationBody,
): Promise<{ conversation: Conversation; created: boolean }> {
  if (body.type === 'direct') return createDirect(ctx, caller, body.memberIds ?? []);
  if (body.type === 'project') {
    if (!body.projectId) throw AppError.validation('projectId', 'is required for a project conversation');
    return createForProject(ctx, caller, body.projectId, body.name);
  }
  return createGroup(ctx, caller, body.memberIds ?? [], body.name);
}

/**
 * Consent: a direct or group conversation only joins people who share an organization with the
 * caller (auth decides). An unknown id is refused exactly like a stranger, so the answer never
 * tells whether an account exists.
 */
async function requireSharedOrganization(ctx: AppContext, caller: Caller, ids: readonly string[]): Promise<void> {
  const others = [...new Set(ids)].filter((id) => id !== caller.id);
  if (others.length === 0) return;
  const sharing = new Set(await ctx.auth.sharingOrganization(caller.id, others));
  if (others.some((id) => !sharing.has(id))) {
    throw new AppError(
      'no_shared_organization',
      403,
      'You can only start conversations with, or add, people who share an organization with you.',
      { field: 'memberIds' },
    );
  }
}

async function requireKnownUsers(ctx: AppContext, ids: readonly string[]): Promise<void> {
  const unknown = await ctx.users.ensure(ids);
  if (unknown.length > 0)
    throw new AppError('invalid_member', 400, `memberIds: no such user ${unknown[0]}`, { field: 'memberIds', unknown });
}

async function createDirect(ctx: AppContext, caller: Caller, memberIds: readonly string[]) {
  const others = [...new Set(memberIds)].filter((id) => id !== caller.id);
  if (others.length > 1 || (others.length === 0 && memberIds.length === 0)) {
    throw AppError.validation('memberIds', 'a direct conversation needs exactly one other member');
  }
  const other = others[0] ?? caller.id; // a conversation with oneself is a notepad
  const key = directKey(caller.id, other);
  const existing = await repo.findByDirectKey(ctx.db, key);
  if (existing) return { conversation: await get(ctx, caller, existing.id), created: false };
  await requireSharedOrganization(ctx, caller, [other]);
  await requireKnownUsers(ctx, [other]);
  await ctx.rateLimiter.consume('conversation', caller.id);
  const inserted = await ctx.db.transaction().execute(async (trx) => {
    const row = await repo.insert(trx, {
      type: 'direct',
      name: null,
      project_id: null,
      organization_id: null,
      direct_key: key,
      created_by: caller.id,
    });
    if (!row) return undefined; // the same pair was created concurrently: use theirs
    await repo.addMembers(
      trx,
      row.id,
      [...new Set([caller.id, other])].map((userId) => ({ userId, role: 'member' as const })),
    );
    return row;
  });
  if (!inserted) return { conversation: await get(ctx, caller, await winnerOf(repo.findByDirectKey(ctx.db, key))), created: false };
  return { conversation: await announce(ctx, caller, inserted.id, [...new Set([caller.id, other])]), created: true };
}

/** The id of the conversation that won a creation race: it committed, so it is there. */
async function winnerOf(lookup: Promise<ConversationRow | undefined>): Promise<string> {
  const winner = await lookup;
  if (!winner) throw new Error('the conversation that won a creation race is missing');
  return winner.id;
}

async function createGroup(ctx: AppContext, caller: Caller, memberIds: readonly string[], name: string | undefined) {
  const others = [...new Set(memberIds)].filter((id) => id !== caller.id);
  await requireSharedOrganization(ctx, caller, others);
  await requireKnownUsers(ctx, others);
  await ctx.rateLimiter.consume('conversation', caller.id);
  const row = await ctx.db.transaction().execute(async (trx) => {
    const created = await repo.insert(trx, {
      type: 'group',
      name: name ?? null,
      project_id: null,
      organization_id: null,
      direct_key: null,
      created_by: caller.id,
    });
    // A group has no unique key, so the insert never skips.
    if (!created) throw new Error('group insert returned no row');
    await repo.addMembers(trx, created.id, [
      { userId: caller.id, role: 'admin' },
      ...others.map((userId) => ({ userId, role: 'member' as const })),
    ]);
    if (others.length > 0)
      await ctx.outbox.add(trx, 'notification', membersAddedJob({ conversationId: created.id, userIds: others, actorId: caller.id }));
    return created;
  });
  if (others.length > 0) ctx.outboxWritten();
  const conversation = await announce(ctx, caller, row.id, [caller.id, ...others]);
  return { conversation, created: true };
}

async function createForProject(ctx: AppContext, caller: Caller, projectId: string, name: string | undefined) {
  const access = await ctx.auth.projectAccess(projectId, caller.id);
  if (!access?.role) throw AppError.notFound('Project');
  const existing = await repo.findByProject(ctx.db, projectId);
  if (existing) return { conversation: await get(ctx, caller, existing.id), created: false };
  await ctx.rateLimiter.consume('conversation', caller.id);
  const members = (await ctx.auth.projectMembers(projectId))?.members ?? [];
  if (!members.some((m) => m.userId === caller.id)) members.push({ userId: caller.id, role: access.role });
  await ctx.users.ensure(members.map((m) => m.userId));
  const row = await ctx.db.transaction().execute(async (trx) => {
    const created = await repo.insert(trx, {
      type: 'project',
      name: name ?? null,
      project_id: projectId,
      organization_id: access.organizationId,
      direct_key: null,
      created_by: caller.id,
    });
    if (!created) return undefined;
    await repo.addMembers(
      trx,
      created.id,
      members.map((m) => ({ userId: m.userId, role: roleInProject(m.role) })),
    );
    return created;
  });
  if (!row) return { conversation: await get(ctx, caller, await winnerOf(repo.findByProject(ctx.db, projectId))), created: false };
  return {
    conversation: await announce(
      ctx,
      caller,
      row.id,
      members.map((m) => m.userId),
    ),
    created: true,
  };
}

/** After commit: the members' open sockets join the room and learn about the conversation. */
async function announce(ctx: AppContext, caller: Caller, conversationId: string, memberIds: readonly string[]): Promise<Conversation> {
  const conversation = await presentOne(ctx.db, caller.id, conversationId);
  // Just created with the caller as a member, in a committed transaction.
  if (!conversation) throw new Error(`conversation ${conversationId} is not visible to its creator`);
  ctx.realtime.join(memberIds, conversationId);
  ctx.realtime.toUsers(memberIds, 'conversation:new', conversation);
  return conversation;
}

/** Adds people to a group (its admins only; direct and project conversations manage themselves). */
export async function addMembers(
  ctx: AppContext,
  caller: Caller,
  conversationId: string,
  memberIds: readonly string[],
): Promise<Conversation> {
  const { conversation, actor } = await readableConversation(ctx, caller, conversationId);
  if (conversation.type !== 'group')
    throw AppError.conflict('conflict', `Members of a ${conversation.type} conversation cannot be changed by hand.`);
  authorize(actor, 'conversation.add_members', conversation);
  await requireSharedOrganization(ctx, caller, memberIds);
  await requireKnownUsers(ctx, memberIds);
  const added = await ctx.db.transaction().execute(async (trx) => {
    const added = await repo.addMembers(
      trx,
      conversationId,
      memberIds.map((userId) => ({ userId, role: 'member' as const })),
    );
    if (added.length > 0)
      await ctx.outbox.add(trx, 'notification', membersAddedJob({ conversationId, userIds: added, actorId: caller.id }));
    return added;
  });
  if (added.length > 0) {
    ctx.outboxWritten();
    ctx.realtime.join(added, conversationId);
    for (const userId of added) {
      const view = await presentOne(ctx.db, userId, conversationId);
      if (view) ctx.realtime.toUsers([userId], 'conversation:new', view);
    }
    await announceMembers(ctx, conversationId);
  }
  return get(ctx, caller, conversationId);
}

/** Removes someone from a group: an admin removes anyone, anyone removes themselves (leaves). */
export async function removeMember(ctx: AppContext, caller: Caller, conversationId: string, userId: string): Promise<void> {
  const { conversation, actor } = await readableConversation(ctx, caller, conversationId);
  if (conversation.type !== 'group')
    throw AppError.conflict('conflict', `Members of a ${conversation.type} conversation cannot be changed by hand.`);
  authorize(actor, 'conversation.remove_member', { userId });
  const removed = await ctx.db.transaction().execute(async (trx) => {
    if (!(await repo.removeMember(trx, conversationId, userId))) return false;
    await repo.promoteIfNoAdmin(trx, conversationId);
    return true;
  });
  if (!removed) throw AppError.notFound('Member');
  // The whole conversation's: an admin may have been promoted too.
  await ctx.membershipCache.changed(conversationId);
  ctx.realtime.leave([userId], conversationId);
  ctx.realtime.toUsers([userId], 'conversation:removed', { id: conversationId });
  await announceMembers(ctx, conversationId);
}

/** After commit: the room hears who its members are now (added, removed, left, a new admin). */
async function announceMembers(ctx: AppContext, conversationId: string): Promise<void> {
  const members = (await repo.membersOf(ctx.db, [conversationId])).map(toMember);
  ctx.realtime.toConversation(conversationId, 'conversation:updated', { id: conversationId, members });
}

/** Renames a group (any member; direct and project conversations are named by who or what they are). */
export async function rename(ctx: AppContext, caller: Caller, conversationId: string, name: string | null): Promise<Conversation> {
  const { conversation, actor } = await readableConversation(ctx, caller, conversationId);
  if (conversation.type !== 'group') throw AppError.conflict('conflict', `A ${conversation.type} conversation cannot be renamed.`);
  authorize(actor, 'conversation.rename', conversation);
  // Every member hears a rename: it counts as an edit.
  await ctx.rateLimiter.consume('edit', caller.id);
  const trimmed = name?.trim() || null;
  await repo.rename(ctx.db, conversationId, trimmed);
  ctx.realtime.toConversation(conversationId, 'conversation:updated', { id: conversationId, name: trimmed });
  return get(ctx, caller, conversationId);
}

/** The caller's own mute and archive of a conversation; their other tabs hear it. */
export async function updateSettings(
  ctx: AppContext,
  caller: Caller,
  conversationId: string,
  settings: { muted?: boolean; archived?: boolean },
): Promise<Conversation> {
  const { conversation, actor } = await readableConversation(ctx, caller, conversationId);
  authorize(actor, 'conversation.settings', conversation);
  await repo.updateSettings(ctx.db, conversationId, caller.id, settings);
  const view = await get(ctx, caller, conversationId);
  ctx.realtime.toUsers([caller.id], 'conversation:updated', { id: conversationId, muted: view.muted, archived: view.archived });
  return view;
}

/**
 * Project conversations follow organization membership (a project inherits its organization's
 * roles): a removed member leaves them at once, an added one joins them (checked with auth).
 */
export async function onMembershipChanged(ctx: AppContext, event: EventMap['membership.changed']): Promise<void> {
  const conversations = await repo.projectConversationsOfOrganization(ctx.db, event.organizationId);
  for (const conversation of conversations) {
    if (event.role === null) {
      await leaveProjectConversation(ctx, conversation.id, event.userId);
      continue;
    }
    if (!conversation.project_id) continue; // project conversations always name their project
    const access = await ctx.auth.projectAccess(conversation.project_id, event.userId);
    if (!access?.role) continue;
    const role = roleInProject(access.role);
    const added = await repo.addMembers(ctx.db, conversation.id, [{ userId: event.userId, role }]);
    if (added.length === 0) {
      await repo.setMemberRole(ctx.db, conversation.id, event.userId, role);
      await ctx.membershipCache.changed(conversation.id, event.userId);
      continue;
    }
    await ctx.users.ensure([event.userId]);
    ctx.realtime.join([event.userId], conversation.id);
    const view = await presentOne(ctx.db, event.userId, conversation.id);
    if (view) ctx.realtime.toUsers([event.userId], 'conversation:new', view);
  }
}

/**
 * The project conversations a user may no longer see (access re-checked like every use does),
 * left now: a connecting socket joins only the others' rooms.
 */
export async function dropLostProjectConversations(ctx: AppContext, userId: string): Promise<Set<string>> {
  const dropped = new Set<string>();
  for (const { id, project_id } of await repo.projectConversationsOf(ctx.db, userId)) {
    if (!project_id) continue;
    const access = await ctx.projectAccess.get(project_id, userId).catch(() => undefined);
    if (access !== undefined && !access?.role) {
      await leaveProjectConversation(ctx, id, userId);
      dropped.add(id);
    }
  }
  return dropped;
}

/** Someone who lost access to a project leaves its conversation: their sockets leave the room and drop it from view. */
async function leaveProjectConversation(ctx: AppContext, conversationId: string, userId: string): Promise<void> {
  const removed = await repo.removeMember(ctx.db, conversationId, userId);
  // Also when another instance removed the row first: this one may still hold it.
  await ctx.membershipCache.changed(conversationId, userId);
  if (removed) {
    ctx.realtime.leave([userId], conversationId);
    ctx.realtime.toUsers([userId], 'conversation:removed', { id: conversationId });
  }
}
