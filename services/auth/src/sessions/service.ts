import type { Caller, DbOrTrx } from '@flux/server-kit';
import { createHmac, randomUUID } from 'node:crypto';
import { AppError, type AuthTokens, type SessionInfo } from '@flux/shared';
import { findUserById } from '../accounts/repository.js';
import { toPublicUser } from '../accounts/mappers.js';
import type { AppContext } from '../context.js';
import type { Database, UserRow } from '../db/database.js';
import { recordSecurityEvent, type RequestMeta, type SecurityEventType } from '../security/events.js';
import { mailNewDeviceNotice, newDeviceId } from '../security/devices.js';
import { noteRefresh } from '../security/limits.js';
import { cancelDeletion } from '../people/repository.js';
import { hashToken, randomToken } from '../tokens/opaque.js';
import * as sessions from './repository.js';

export interface IssuedTokens extends AuthTokens {
  sessionId: string;
  /** The browser's device id, kept by the route in the `flux_device` cookie. */
  deviceId: string;
}

/**
 * The successor of a refresh token is derived from it with a server-side key, so a repeat of the
 * same token inside the grace window gets the very same successor without storing any token.
 */
const successorOf = (ctx: AppContext, token: string): string => createHmac('sha256', ctx.keys.refresh).update(token).digest('base64url');

async function accessTokenFor(ctx: AppContext, user: UserRow, sessionId: string): Promise<string> {
  return ctx.signAccessToken({ sub: user.id, sid: sessionId, name: user.name, email: user.email });
}

/** The security event a way in records with its session (sign-in with a password, OAuth); `sessionId` is added to its metadata. */
export interface SignInEvent {
  type: SecurityEventType;
  metadata: Record<string, unknown>;
}

/**
 * Signs a user in: a new session (family) with its first refresh token, from a device it remembers,
 * and the way in's security event, all written in one statement (sessions/repository.ts `insertSignIn`).
 */
export async function startSession(ctx: AppContext, user: UserRow, meta: RequestMeta, event?: SignInEvent): Promise<IssuedTokens> {
  // Every way in (password, OAuth, MFA, sign-up) ends here: a disabled account gets no session.
  if (user.disabled_at) throw new AppError('account_disabled', 403, 'This account has been disabled. Contact your administrator.');
  // Signing in within the grace period of a deleted account keeps it (password, OAuth, any way in).
  if (user.deletion_requested_at && (await cancelDeletion(ctx.db, user.id)))
    await recordSecurityEvent(ctx, ctx.db, { type: 'account_deletion_cancelled', userId: user.id, meta, metadata: {} });
  const deviceId = meta.deviceId ?? newDeviceId();
  const sessionId = randomUUID();
  const refreshToken = randomToken();
  const now = Date.now();
  const sessionExpiresAt = new Date(now + ctx.config.sessionMaxAgeSeconds * 1000);
  const { newDevice } = await sessions.insertSignIn(ctx.db, {
    sessionId,
    userId: user.id,
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 512) ?? null,
    sessionExpiresAt,
    refreshTokenHash: hashToken(refreshToken),
    refreshTokenExpiresAt: new Date(Math.min(now + ctx.config.refreshTokenTtlSeconds * 1000, sessionExpiresAt.getTime())),
    deviceHash: hashToken(deviceId),
    event: event && { type: event.type, metadata: { sessionId, ...event.metadata } },
  });
  if (newDevice) {
    ctx.metrics.securityEvents.inc({ type: 'new_device' });
    mailNewDeviceNotice(ctx, user, meta);
  }
  if (event) ctx.metrics.securityEvents.inc({ type: event.type });
  return {
    sessionId,
    deviceId,
    user: toPublicUser(user),
    accessToken: await accessTokenFor(ctx, user, sessionId),
    refreshToken,
    expiresIn: ctx.config.accessTokenTtlSeconds,
  };
}

/**
 * Revokes sessions and, in the same transaction, writes `sessions.revoked` to the outbox: the
 * other services refuse these sessions' access tokens (and close their sockets) once it is relayed,
 * and a crash after the commit cannot lose it. Every path that ends sessions goes through here.
 */
export async function revokeAndAnnounce(
  ctx: AppContext,
  trx: DbOrTrx<Database>,
  filter: { userId: string; ids?: string[] },
  reason: string,
): Promise<string[]> {
  const revoked = await sessions.revokeSessions(trx, filter, reason);
  if (revoked.length > 0) {
    // Access tokens issued up to now expire within one lifetime; nobody needs to remember these sessions after that.
    const until = new Date(Date.now() + ctx.config.accessTokenTtlSeconds * 1000).toISOString();
    await ctx.outbox.add(trx, 'sessions.revoked', { userId: filter.userId, sessionIds: revoked, reason, until });
  }
  return revoked;
}

const invalid = () => AppError.unauthorized('The refresh token is invalid or expired; sign in again.', 'invalid_refresh_token');

/**
 * Rotates a refresh token. A token already rotated is answered with the same successor inside the
 * grace window (tabs racing); after it, the reuse means the token leaked, so the whole session is revoked.
 */
export async function refresh(ctx: AppContext, token: string, meta: RequestMeta): Promise<IssuedTokens> {
  const outcome = await ctx.db.transaction().execute(async (trx) => {
    const row = await sessions.lockRefreshToken(trx, hashToken(token));
    const now = new Date();
    if (!row || row.session_revoked_at || row.session_expires_at <= now || row.expires_at <= now) return { kind: 'invalid' as const };
    const successor = successorOf(ctx, token);
    if (row.used_at) {
      if (now.getTime() - row.used_at.getTime() <= ctx.config.refreshGraceSeconds * 1000 && row.successor_id) {
        return { kind: 'ok' as const, userId: row.user_id, sessionId: row.session_id, refreshToken: successor, replay: true };
      }
      await revokeAndAnnounce(ctx, trx, { userId: row.user_id, ids: [row.session_id] }, 'refresh_token_reused');
      await recordSecurityEvent(ctx, trx, {
        type: 'refresh_token_reused',
        userId: row.user_id,
        meta,
        metadata: { sessionId: row.session_id },
      });
      return { kind: 'reused' as const };
    }
    const next = await sessions.insertRefreshToken(trx, {
      sessionId: row.session_id,
      tokenHash: hashToken(successor),
      parentId: row.id,
      expiresAt: new Date(Math.min(now.getTime() + ctx.config.refreshTokenTtlSeconds * 1000, row.session_expires_at.getTime())),
    });
    await sessions.markRefreshTokenUsed(trx, row.id, next.id, now);
    await sessions.touchSession(trx, row.session_id, { ip: meta.ip, userAgent: meta.userAgent?.slice(0, 512) ?? null });
    await recordSecurityEvent(ctx, trx, { type: 'refresh', userId: row.user_id, meta, metadata: { sessionId: row.session_id } });
    return { kind: 'ok' as const, userId: row.user_id, sessionId: row.session_id, refreshToken: successor, replay: false };
  });
  if (outcome.kind === 'invalid') throw invalid();
  if (outcome.kind === 'reused') {
    ctx.log.warn({ ip: meta.ip }, 'refresh token reused; session revoked');
    throw AppError.unauthorized('This refresh token was already used; the session has been signed out.', 'refresh_token_reused');
  }
  if (await noteRefresh(ctx, outcome.sessionId)) {
    await recordSecurityEvent(ctx, ctx.db, {
      type: 'anomaly_rapid_refresh',
      userId: outcome.userId,
      meta,
      metadata: { sessionId: outcome.sessionId },
    });
  }
  const user = await findUserById(ctx.db, outcome.userId);
  if (!user) throw invalid();
  return {
    sessionId: outcome.sessionId,
    deviceId: meta.deviceId ?? newDeviceId(),
    user: toPublicUser(user),
    accessToken: await accessTokenFor(ctx, user, outcome.sessionId),
    refreshToken: outcome.refreshToken,
    expiresIn: ctx.config.accessTokenTtlSeconds,
  };
}

/** True while a session can still be used (not revoked, not past its 30-day cap). */
export async function isSessionActive(ctx: AppContext, sessionId: string): Promise<boolean> {
  const session = await sessions.findSession(ctx.db, sessionId);
  return !!session && !session.revoked_at && session.expires_at > new Date();
}

export async function listSessions(ctx: AppContext, caller: Caller): Promise<SessionInfo[]> {
  return (await sessions.listActiveSessions(ctx.db, caller.id)).map((row) => ({
    id: row.id,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at.toISOString(),
    current: row.id === caller.sessionId,
  }));
}

/** Revokes one of the caller's sessions; someone else's session is reported as not found. */
export async function revokeSession(ctx: AppContext, caller: Caller, sessionId: string, meta: RequestMeta): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const revoked = await revokeAndAnnounce(ctx, trx, { userId: caller.id, ids: [sessionId] }, 'revoked_by_user');
    if (revoked.length === 0) throw AppError.notFound('Session');
    await recordSecurityEvent(ctx, trx, { type: 'session_revoked', userId: caller.id, meta, metadata: { sessionId } });
  });
}

/** The session a refresh token belongs to (for cookie-mode logout), if the token is known. */
export async function sessionOfRefreshToken(ctx: AppContext, token: string): Promise<{ id: string; userId: string } | undefined> {
  const row = await sessions.findSessionOfRefreshToken(ctx.db, hashToken(token));
  return row && { id: row.id, userId: row.user_id };
}

export async function logout(ctx: AppContext, userId: string, sessionId: string, meta: RequestMeta): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await revokeAndAnnounce(ctx, trx, { userId, ids: [sessionId] }, 'logout');
    await recordSecurityEvent(ctx, trx, { type: 'logout', userId, meta, metadata: { sessionId } });
  });
}

export async function logoutAll(ctx: AppContext, userId: string, meta: RequestMeta): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const revoked = await revokeAndAnnounce(ctx, trx, { userId }, 'logout_all');
    await recordSecurityEvent(ctx, trx, { type: 'logout_all', userId, meta, metadata: { sessionsRevoked: revoked.length } });
  });
}
