import type { DbOrTrx } from '@flux/server-kit';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { RefreshTokenRow, SessionRow } from '../db/database.js';

export const insertRefreshToken = (
  db: DbOrTrx<Database>,
  values: { sessionId: string; tokenHash: string; parentId: string | null; expiresAt: Date },
): Promise<RefreshTokenRow> =>
  db
    .insertInto('auth.refresh_tokens')
    .values({ session_id: values.sessionId, token_hash: values.tokenHash, parent_id: values.parentId, expires_at: values.expiresAt })
    .returningAll()
    .executeTakeFirstOrThrow();

/** The token and its session, locked so concurrent refreshes of one token run one after the other. */
export const lockRefreshToken = (db: DbOrTrx<Database>, tokenHash: string) =>
  db
    .selectFrom('auth.refresh_tokens as t')
    .innerJoin('auth.sessions as s', 's.id', 't.session_id')
    .select([
      't.id',
      't.session_id',
      't.successor_id',
      't.used_at',
      't.expires_at',
      's.user_id',
      's.expires_at as session_expires_at',
      's.revoked_at as session_revoked_at',
    ])
    .where('t.token_hash', '=', tokenHash)
    .forUpdate('t')
    .executeTakeFirst();

export const markRefreshTokenUsed = (db: DbOrTrx<Database>, id: string, successorId: string, at: Date) =>
  db.updateTable('auth.refresh_tokens').set({ used_at: at, successor_id: successorId }).where('id', '=', id).execute();

/** The session a refresh token belongs to, whatever the token's state. */
export const findSessionOfRefreshToken = (db: DbOrTrx<Database>, tokenHash: string) =>
  db
    .selectFrom('auth.refresh_tokens as t')
    .innerJoin('auth.sessions as s', 's.id', 't.session_id')
    .select(['s.id', 's.user_id'])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();

export const findSession = (db: DbOrTrx<Database>, id: string): Promise<SessionRow | undefined> =>
  db.selectFrom('auth.sessions').selectAll().where('id', '=', id).executeTakeFirst();

export const touchSession = (db: DbOrTrx<Database>, id: string, meta: { ip: string | null; userAgent: string | null }) =>
  db.updateTable('auth.sessions').set({ last_used_at: new Date(), ip: meta.ip, user_agent: meta.userAgent }).where('id', '=', id).execute();

export const listActiveSessions = (db: DbOrTrx<Database>, userId: string): Promise<SessionRow[]> =>
  db
    .selectFrom('auth.sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .orderBy('last_used_at', 'desc')
    .execute();

/** Revokes sessions (all of a user's, or the listed ones) that are still live; returns the ids revoked. */
export async function revokeSessions(db: DbOrTrx<Database>, filter: { userId: string; ids?: string[] }, reason: string): Promise<string[]> {
  let query = db
    .updateTable('auth.sessions')
    .set({ revoked_at: new Date(), revoked_reason: reason })
    .where('user_id', '=', filter.userId)
    .where('revoked_at', 'is', null);
  if (filter.ids) {
    if (filter.ids.length === 0) return [];
    query = query.where('id', 'in', filter.ids);
  }
  return (await query.returning('id').execute()).map((row) => row.id);
}

/** Refresh tokens that can no longer be used: expired, or of a session that ended (revoked or past its cap). */
export const deleteDeadRefreshTokens = (db: DbOrTrx<Database>, now: Date) =>
  db
    .deleteFrom('auth.refresh_tokens')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', now),
        eb(
          'session_id',
          'in',
          eb
            .selectFrom('auth.sessions')
            .select('id')
            .where((s) => s.or([s('revoked_at', 'is not', null), s('expires_at', '<', now)])),
        ),
      ]),
    )
    .executeTakeFirst();

/** Sessions that ended (revoked or expired) before `endedBefore`. */
export const deleteSessionsEndedBefore = (db: DbOrTrx<Database>, endedBefore: Date) =>
  db
    .deleteFrom('auth.sessions')
    .where((eb) => eb.or([eb('revoked_at', '<', endedBefore), eb('expires_at', '<', endedBefore)]))
    .executeTakeFirst();

/** What one sign-in writes (see `insertSignIn`). */
export interface SignIn {
  sessionId: string;
  userId: string;
  ip: string | null;
  userAgent: string | null;
  sessionExpiresAt: Date;
  refreshTokenHash: string;
  refreshTokenExpiresAt: Date;
  deviceHash: string;
  /** The sign-in's own security event (login_succeeded, oauth_login), if the caller records one. */
  event?: { type: string; metadata: Record<string, unknown> };
}

const jsonb = (value: Record<string, unknown>) => sql<Record<string, unknown>>`cast(${JSON.stringify(value)}::text as jsonb)`;

/**
 * Everything a sign-in writes, as one statement: atomic, one round trip and one commit (it was
 * nine statements in four commits). The device is remembered; the session and its first refresh
 * token are created; `new_device` is logged when the account knew other devices but not this one
 * (every CTE sees the table as it was before the statement), and so is the sign-in's own event.
 * Returns whether the device was new to an account that had others.
 */
export async function insertSignIn(db: DbOrTrx<Database>, signIn: SignIn): Promise<{ newDevice: boolean }> {
  const { sessionId, userId, ip, userAgent } = signIn;
  const row = await db
    .with('device', (db) =>
      db
        .insertInto('auth.known_devices')
        .values({ user_id: userId, device_hash: signIn.deviceHash, user_agent: userAgent })
        .onConflict((oc) => oc.columns(['user_id', 'device_hash']).doUpdateSet({ last_seen_at: sql`now()` }))
        // xmax = 0 only on a freshly inserted row (an upsert that updated has the updating transaction's id).
        .returning(sql<boolean>`xmax = 0`.as('inserted')),
    )
    .with('new_device', (db) =>
      db
        .selectFrom('device')
        .select('inserted')
        .where('inserted', '=', true)
        .where((eb) => eb.exists(eb.selectFrom('auth.known_devices').select('user_id').where('user_id', '=', userId))),
    )
    .with('session', (db) =>
      db
        .insertInto('auth.sessions')
        .values({ id: sessionId, user_id: userId, user_agent: userAgent, ip, expires_at: signIn.sessionExpiresAt }),
    )
    .with('refresh_token', (db) =>
      db
        .insertInto('auth.refresh_tokens')
        .values({ session_id: sessionId, token_hash: signIn.refreshTokenHash, parent_id: null, expires_at: signIn.refreshTokenExpiresAt }),
    )
    .with('new_device_event', (db) =>
      db
        .insertInto('auth.security_events')
        .columns(['type', 'user_id', 'ip', 'user_agent'])
        .expression(
          db
            .selectFrom('new_device')
            .select([
              sql.lit('new_device').as('type'),
              sql.val(userId).as('user_id'),
              sql.val(ip).as('ip'),
              sql.val(userAgent).as('user_agent'),
            ]),
        ),
    )
    .with('sign_in_event', (db) =>
      db
        .insertInto('auth.security_events')
        .columns(['type', 'user_id', 'ip', 'user_agent', 'metadata'])
        .expression(
          db
            .selectNoFrom([
              sql.val(signIn.event?.type ?? '').as('type'),
              sql.val(userId).as('user_id'),
              sql.val(ip).as('ip'),
              sql.val(userAgent).as('user_agent'),
              jsonb(signIn.event?.metadata ?? {}).as('metadata'),
            ])
            .where(sql.lit(signIn.event !== undefined)),
        ),
    )
    .selectNoFrom(sql<boolean>`exists (select from new_device)`.as('new_device'))
    .executeTakeFirstOrThrow();
  return { newDevice: row.new_device };
}
