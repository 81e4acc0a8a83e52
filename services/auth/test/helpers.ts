import { randomUUID } from 'node:crypto';
import { type App, createDatabase } from '@flux/server-kit';
import type { AuthTokens } from '@flux/shared';
import { TEST_PASSWORD, type TestUser } from '../../../test/support/auth.js';
import type { HttpClient } from '../../../test/support/http.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';

/** Direct database access for tests that must move time (backdate rows) instead of waiting. */
export const testDatabase = () => createDatabase<Database>(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test', 2);

/**
 * The auth app built but not listening, for suites that only speak HTTP (through `app.inject`).
 * The same generous abuse limits as `startAuth()`, so only a suite that sets them meets them.
 */
export const authApp = (env: Record<string, string> = {}): Promise<App> =>
  buildApp(
    loadConfig({
      ...process.env,
      AUTH_CREDENTIAL_REQUESTS_PER_IP_PER_MINUTE: '100000',
      AUTH_LOGIN_FAILURES_PER_ACCOUNT_IP: '1000',
      ...env,
    }),
    { logger: false },
  );

/** A sign-up through the API, for tests where what a sign-up does (its mail, events, session) is under test. */
export async function signup(http: HttpClient, name = `Test User ${randomUUID().slice(0, 6)}`): Promise<TestUser> {
  const answer = await http.post<AuthTokens>('/api/auth/signup', {
    email: `user-${randomUUID()}@test.flux.local`,
    password: TEST_PASSWORD,
    name,
  });
  if (answer.status !== 201) throw new Error(`sign-up answered ${answer.status}`);
  const { user, accessToken, refreshToken } = answer.body;
  return { id: user.id, email: user.email, name: user.name, accessToken, refreshToken };
}
