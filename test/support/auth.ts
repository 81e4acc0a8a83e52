import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import type { Role } from '@flux/shared';
import { buildApp } from '../../services/auth/src/app.js';
import { loadConfig } from '../../services/auth/src/config.js';
import { type HttpMethod, httpClient } from './http.js';
import { inviteAndAccept } from './invitations.js';
import { listenOnLoopback } from './listen.js';

export interface TestUser {
  id: string;
  email: string;
  name: string;
  accessToken: string;
  refreshToken: string;
}

export interface AuthHarness {
  /** Base URL of the real auth app listening on 127.0.0.1:<random port>. */
  url: string;
  app: App;
  signup(name?: string): Promise<TestUser>;
  createOrganization(owner: TestUser, name?: string): Promise<{ id: string; slug: string }>;
  /** Makes an organization when none is given. */
  createProject(owner: TestUser, organizationId?: string): Promise<{ id: string; organizationId: string }>;
  /** Invites the user's email and accepts with the mailed link, as the user (no direct membership exists). */
  addMember(owner: TestUser, organizationId: string, user: TestUser, role: Role): Promise<void>;
  setRole(owner: TestUser, organizationId: string, user: TestUser, role: Role): Promise<void>;
  removeMember(owner: TestUser, organizationId: string, user: TestUser): Promise<void>;
  close(): Promise<void>;
}

/** A password zxcvbn rates strong; unique per process so nothing depends on it. */
export const TEST_PASSWORD = `Flux-${randomUUID().slice(0, 8)}-correct-horse-battery`;

/**
 * Starts the real auth app (buildApp) on a random port against the machine's PostgreSQL and Redis.
 * Config comes from `loadConfig({...process.env, ...env})`, so it shares the dev secrets file
 * (the same service keys and signing key as other services built in the same test).
 */
export async function startAuth(env: Record<string, string> = {}): Promise<AuthHarness> {
  const config = loadConfig({
    ...process.env,
    AUTH_CREDENTIAL_REQUESTS_PER_IP_PER_MINUTE: '100000',
    AUTH_LOGIN_FAILURES_PER_ACCOUNT_IP: '1000',
    ...env,
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const app = await buildApp(config, { logger: false });
  const url = await listenOnLoopback(app);

  const http = httpClient(url);
  /** The harness's own calls: any answer but the expected ones fails the test that made it. */
  async function call<T>(method: HttpMethod, path: string, token: string | undefined, body?: unknown): Promise<T> {
    const answer = await http.request<T>(method, path, { token, body });
    if (![200, 201, 204].includes(answer.status))
      throw new Error(`auth harness: ${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  const harness: AuthHarness = {
    url,
    app,
    async signup(name = `Test User ${randomUUID().slice(0, 6)}`) {
      const email = `user-${randomUUID()}@test.flux.local`;
      const answer = await call<{ user: { id: string; email: string; name: string }; accessToken: string; refreshToken: string }>(
        'POST',
        '/api/auth/signup',
        undefined,
        {
          email,
          password: TEST_PASSWORD,
          name,
        },
      );
      return {
        id: answer.user.id,
        email: answer.user.email,
        name: answer.user.name,
        accessToken: answer.accessToken,
        refreshToken: answer.refreshToken,
      };
    },
    async createOrganization(owner, name = `Org ${randomUUID().slice(0, 8)}`) {
      const org = await call<{ id: string; slug: string }>('POST', '/api/organizations', owner.accessToken, { name });
      return { id: org.id, slug: org.slug };
    },
    async createProject(owner, organizationId) {
      const orgId = organizationId ?? (await harness.createOrganization(owner)).id;
      const project = await call<{ id: string; organizationId: string }>(
        'POST',
        `/api/organizations/${orgId}/projects`,
        owner.accessToken,
        {
          name: `Project ${randomUUID().slice(0, 8)}`,
        },
      );
      return { id: project.id, organizationId: project.organizationId };
    },
    async addMember(owner, organizationId, user, role) {
      await inviteAndAccept(http, owner, organizationId, user, role);
    },
    async setRole(owner, organizationId, user, role) {
      await call('PATCH', `/api/organizations/${organizationId}/members/${user.id}`, owner.accessToken, { role });
    },
    async removeMember(owner, organizationId, user) {
      await call('DELETE', `/api/organizations/${organizationId}/members/${user.id}`, owner.accessToken);
    },
    close: () => app.close(),
  };
  return harness;
}
