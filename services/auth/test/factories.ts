import { randomUUID } from 'node:crypto';
import type { Role } from '@flux/shared';
import type { Kysely } from 'kysely';
import { TEST_PASSWORD, type TestUser } from '../../../test/support/auth.js';
import { hashPassword } from '../src/accounts/password.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { createAccessTokenSigner } from '../src/tokens/access-token.js';
import { loadSigningKeys } from '../src/tokens/keys.js';
import { hashToken, randomToken } from '../src/tokens/opaque.js';

// One argon2 hash per test file instead of one per user: the hash is the slow part of a sign-up.
let passwordHash: Promise<string> | undefined;

/**
 * Database-level fixtures for what a test does not itself exercise: rows inserted directly, and
 * tokens signed with the same key the app under test reads (the dev secrets file through
 * `loadConfig`), so they work against `startAuth()` unless a test overrides JWT_PRIVATE_KEY.
 * A user from here can sign in with TEST_PASSWORD like one from `auth.signup()`, but has no
 * signup security event, verification mail or `user.created` event.
 */
export function factories(db: Kysely<Database>) {
  const config = loadConfig({ ...process.env });
  const signer = loadSigningKeys(config.jwtPrivateKey).then((keys) => createAccessTokenSigner(keys, config.accessTokenTtlSeconds));

  const member = async (organizationId: string, user: TestUser, role: Role): Promise<void> => {
    await db.insertInto('auth.organization_members').values({ organization_id: organizationId, user_id: user.id, role }).execute();
  };

  /** An organization with `owner` as its owner. */
  const organization = async (owner: TestUser, name = `Org ${randomUUID().slice(0, 8)}`): Promise<{ id: string; slug: string }> => {
    const row = await db
      .insertInto('auth.organizations')
      .values({ name, slug: `org-${randomUUID()}`, created_by: owner.id })
      .returning(['id', 'slug'])
      .executeTakeFirstOrThrow();
    await member(row.id, owner, 'owner');
    return row;
  };

  return {
    member,
    organization,

    /** A user with a live session: the access and refresh tokens a sign-up would have answered. */
    async user(name = `Test User ${randomUUID().slice(0, 6)}`, { verified = false }: { verified?: boolean } = {}): Promise<TestUser> {
      passwordHash ??= hashPassword(TEST_PASSWORD);
      const user = await db
        .insertInto('auth.users')
        .values({
          email: `user-${randomUUID()}@test.flux.local`,
          name,
          password_hash: await passwordHash,
          email_verified_at: verified ? new Date() : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const now = Date.now();
      const session = await db
        .insertInto('auth.sessions')
        .values({ user_id: user.id, user_agent: null, ip: null, expires_at: new Date(now + config.sessionMaxAgeSeconds * 1000) })
        .returning('id')
        .executeTakeFirstOrThrow();
      const refreshToken = randomToken();
      await db
        .insertInto('auth.refresh_tokens')
        .values({
          session_id: session.id,
          token_hash: hashToken(refreshToken),
          parent_id: null,
          expires_at: new Date(now + config.refreshTokenTtlSeconds * 1000),
        })
        .execute();
      const sign = await signer;
      const accessToken = await sign({ sub: user.id, sid: session.id, name: user.name, email: user.email });
      return { id: user.id, email: user.email, name: user.name, accessToken, refreshToken };
    },

    /** A project in `organizationId`, or in a new organization of `owner`. */
    async project(owner: TestUser, organizationId?: string): Promise<{ id: string; organizationId: string }> {
      const orgId = organizationId ?? (await organization(owner)).id;
      const project = await db
        .insertInto('auth.projects')
        .values({ organization_id: orgId, name: `Project ${randomUUID().slice(0, 8)}`, created_by: owner.id })
        .returning(['id', 'organization_id'])
        .executeTakeFirstOrThrow();
      return { id: project.id, organizationId: project.organization_id };
    },

    /** A live, unused email token (as a sign-up's verification mail leaves behind). */
    async emailToken(user: TestUser, purpose: 'verify_email' | 'reset_password' = 'verify_email'): Promise<string> {
      const token = randomToken();
      await db
        .insertInto('auth.email_tokens')
        .values({ user_id: user.id, purpose, token_hash: hashToken(token), expires_at: new Date(Date.now() + 3_600_000) })
        .execute();
      return token;
    },
  };
}
