import { AppError, type LoginBody, type PublicUser, type Role, type SignupBody } from '@flux/shared';
import type { AuthContext } from '../context.js';
import { acceptInvitations, insertMember } from '../organizations/repository.js';
import { recordSecurityEvent, type RequestMeta } from '../security/events.js';
import { startSession, type IssuedTokens } from '../sessions/service.js';
import { normaliseEmail } from './email.js';
import { toPublicUser } from './mappers.js';
import { assertStrongPassword, burnPasswordCheck, hashPassword, verifyPassword } from './password.js';
import { findUserByEmail, findUserById, insertUser } from './repository.js';

/** Creates an account, turns pending invitations of its email into memberships, and signs it in. */
export async function signup(ctx: AuthContext, body: SignupBody, meta: RequestMeta): Promise<IssuedTokens> {
  const email = normaliseEmail(body.email);
  const name = body.name.trim();
  if (!name) throw AppError.validation('name', 'must not be blank');
  assertStrongPassword(body.password, [email, name, ...email.split(/[@.]/)]);
  const passwordHash = await hashPassword(body.password);
  const { user, memberships } = await ctx.db.transaction().execute(async (trx) => {
    const user = await insertUser(trx, { email, name, password_hash: passwordHash });
    if (!user) throw AppError.conflict('email_taken', 'An account with this email already exists.');
    const memberships: Array<{ organizationId: string; role: Role }> = [];
    for (const invitation of await acceptInvitations(trx, email)) {
      await insertMember(trx, invitation.organization_id, user.id, invitation.role as Role);
      memberships.push({ organizationId: invitation.organization_id, role: invitation.role as Role });
    }
    await recordSecurityEvent(trx, { type: 'signup', userId: user.id, meta, metadata: { invitationsAccepted: memberships.length } });
    return { user, memberships };
  });
  await ctx.events.publish('user.created', { userId: user.id, email: user.email, name: user.name });
  for (const membership of memberships) await ctx.events.publish('membership.changed', { ...membership, userId: user.id });
  return startSession(ctx, user, meta);
}

const invalidCredentials = () => AppError.unauthorized('The email or password is incorrect.', 'invalid_credentials');

/** Checks a password; unknown emails cost the same argon2 work and get the same answer as wrong passwords. */
export async function login(ctx: AuthContext, body: LoginBody, meta: RequestMeta): Promise<IssuedTokens> {
  const email = normaliseEmail(body.email);
  const user = await findUserByEmail(ctx.db, email);
  if (!user?.password_hash) {
    await burnPasswordCheck(body.password);
    await recordSecurityEvent(ctx.db, { type: 'login_failed', userId: user?.id ?? null, meta, metadata: { reason: 'unknown_email' } });
    throw invalidCredentials();
  }
  if (!(await verifyPassword(user.password_hash, body.password))) {
    await recordSecurityEvent(ctx.db, { type: 'login_failed', userId: user.id, meta, metadata: { reason: 'wrong_password' } });
    throw invalidCredentials();
  }
  const tokens = await startSession(ctx, user, meta);
  await recordSecurityEvent(ctx.db, { type: 'login_succeeded', userId: user.id, meta, metadata: { sessionId: tokens.sessionId } });
  return tokens;
}

export async function me(ctx: AuthContext, userId: string): Promise<PublicUser> {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw AppError.unauthorized();
  return toPublicUser(user);
}
