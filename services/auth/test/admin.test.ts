import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { dropDatabase, migrate } from '@flux/migrations';
import type { App } from '@flux/server-kit';
import type {
  AdminOrganization,
  AdminUser,
  AuthTokens,
  ErrorBody,
  EventMap,
  Page,
  SecurityEvent,
  SignOutResult,
  SystemStatus,
} from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, type TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import { listenOnLoopback } from '../../../test/support/listen.js';
import { factories } from './factories.js';
import { authApp, signup, testDatabase } from './helpers.js';

/** A loopback port nothing listens on (taken and released). */
const unusedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** The admin console's API: platform admins only (everyone else: 404), users, organizations, security events, status. */
describe('admin console API', () => {
  let app: App;
  const { db } = testDatabase();
  const make = factories(db);
  const revocations: EventMap['sessions.revoked'][] = [];
  let platformAdmin: TestUser;
  let someone: TestUser;
  beforeAll(async () => {
    app = await authApp();
    await app.streams.follow('sessions.revoked', (event) => void revocations.push(event.payload));
    [platformAdmin, someone] = await Promise.all([make.user('Platform Admin'), make.user('Someone')]);
    await db.updateTable('auth.users').set({ is_admin: true }).where('id', '=', platformAdmin.id).execute();
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const as = (user: TestUser | undefined) => httpClient(app, { token: user?.accessToken });
  const login = (email: string) => httpClient(app).post<AuthTokens | ErrorBody>('/api/auth/login', { email, password: TEST_PASSWORD });

  it('answers 404 to everyone but platform admins, before validating anything, and 401 without a token', async () => {
    const id = randomUUID();
    const routes: Array<[string, string]> = [
      ['GET', '/api/admin/me'],
      ['GET', '/api/admin/users?q=a'],
      ['GET', '/api/admin/users?limit=not-a-number'],
      ['POST', `/api/admin/users/${id}/disable`],
      ['POST', '/api/admin/users/not-a-uuid/enable'],
      ['POST', `/api/admin/users/${someone.id}/sign-out`],
      ['GET', '/api/admin/organizations'],
      ['GET', '/api/admin/security-events?type=nonsense'],
      ['GET', '/api/admin/status'],
    ];
    for (const [method, path] of routes) {
      const answer = await as(someone).request<ErrorBody>(method as 'GET', path);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.error.code).toBe('not_found');
      expect((await as(undefined).request(method as 'GET', path)).status, `${method} ${path} anonymous`).toBe(401);
    }
    const me = await as(platformAdmin).get<AdminUser>('/api/admin/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: platformAdmin.id, isAdmin: true, disabledAt: null });
  });

  it('searches users by name or email with their sessions and organizations counted', async () => {
    const tag = randomUUID().slice(0, 8);
    const target = await make.user(`Zed ${tag}`);
    await make.organization(target);
    const found = await as(platformAdmin).get<Page<AdminUser>>(`/api/admin/users?q=${tag}`);
    expect(found.status).toBe(200);
    expect(found.body.items).toEqual([
      expect.objectContaining({
        id: target.id,
        name: `Zed ${tag}`,
        email: target.email,
        isAdmin: false,
        activeSessions: 1,
        organizations: 1,
      }),
    ]);
    const byEmail = await as(platformAdmin).get<Page<AdminUser>>(`/api/admin/users?q=${encodeURIComponent(target.email.toUpperCase())}`);
    expect(byEmail.body.items.map((u) => u.id)).toEqual([target.id]);
    // LIKE patterns are taken literally.
    expect((await as(platformAdmin).get<Page<AdminUser>>('/api/admin/users?q=%25_%25')).body.items).toEqual([]);
    const paged = await as(platformAdmin).get<Page<AdminUser>>('/api/admin/users?limit=1');
    expect(paged.body.items).toHaveLength(1);
    const next = await as(platformAdmin).get<Page<AdminUser>>(`/api/admin/users?limit=1&cursor=${paged.body.nextCursor}`);
    expect(next.body.items[0]?.id).not.toBe(paged.body.items[0]?.id);
  });

  it('disables an account: sign-in refused, every session revoked and announced at once; enabling lets it back in', async () => {
    const target = await make.user('To Disable');
    const second = await login(target.email);
    expect(second.status).toBe(200);

    const disabled = await as(platformAdmin).post<AdminUser>(`/api/admin/users/${target.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: target.id, disabledAt: expect.any(String), activeSessions: 0 });

    // Both sessions ended: their tokens are refused here, and sessions.revoked tells the other services.
    expect((await as(target).get('/api/auth/me')).status).toBe(401);
    expect((await httpClient(app, { token: (second.body as AuthTokens).accessToken }).get('/api/auth/me')).status).toBe(401);
    const revoked = await eventually(() => revocations.find((e) => e.userId === target.id));
    expect(revoked).toMatchObject({ reason: 'account_disabled' });
    expect(revoked.sessionIds).toHaveLength(2);
    const refresh = await httpClient(app).post('/api/auth/refresh', { refreshToken: target.refreshToken });
    expect(refresh.status).toBe(401);

    const refused = await login(target.email);
    expect(refused.status).toBe(403);
    expect((refused.body as ErrorBody).error.code).toBe('account_disabled');
    // A wrong password still gets the usual answer (the account's state is not revealed to guessers).
    const wrong = await httpClient(app).post<ErrorBody>('/api/auth/login', { email: target.email, password: 'not-the-password-1234' });
    expect(wrong.body.error.code).toBe('invalid_credentials');

    const events = await as(platformAdmin).get<Page<SecurityEvent>>(`/api/admin/security-events?type=account_disabled&userId=${target.id}`);
    expect(events.body.items).toEqual([
      expect.objectContaining({ type: 'account_disabled', userId: target.id, metadata: { by: platformAdmin.id, sessions: 2 } }),
    ]);

    const enabled = await as(platformAdmin).post<AdminUser>(`/api/admin/users/${target.id}/enable`);
    expect(enabled.body.disabledAt).toBeNull();
    expect((await login(target.email)).status).toBe(200);
  });

  it('signs a user out everywhere, refuses to disable or sign out oneself, and 404s an unknown user', async () => {
    const target = await make.user('Signed Out');
    await login(target.email);
    const answer = await as(platformAdmin).post<SignOutResult>(`/api/admin/users/${target.id}/sign-out`);
    expect(answer.body).toEqual({ revokedSessions: 2 });
    expect((await as(target).get('/api/auth/me')).status).toBe(401);
    expect(await eventually(() => revocations.find((e) => e.userId === target.id))).toMatchObject({ reason: 'signed_out_by_admin' });
    // The account itself still works: signing in again is fine.
    expect((await login(target.email)).status).toBe(200);

    expect((await as(platformAdmin).post<ErrorBody>(`/api/admin/users/${platformAdmin.id}/disable`)).status).toBe(409);
    expect((await as(platformAdmin).post<ErrorBody>(`/api/admin/users/${platformAdmin.id}/sign-out`)).status).toBe(409);
    expect((await as(platformAdmin).post(`/api/admin/users/${randomUUID()}/disable`)).status).toBe(404);
    expect((await as(platformAdmin).post(`/api/admin/users/${randomUUID()}/enable`)).status).toBe(404);
    expect((await as(platformAdmin).post('/api/admin/users/not-a-uuid/disable')).status).toBe(400);
  });

  it('lists organizations with their owners, members and projects, searchable by name or slug', async () => {
    const tag = randomUUID().slice(0, 8);
    const owner = await make.user('Org Owner');
    const organization = await make.organization(owner, `Atelier ${tag}`);
    await make.member(organization.id, someone, 'member');
    await make.project(owner, organization.id);
    const found = await as(platformAdmin).get<Page<AdminOrganization>>(`/api/admin/organizations?q=${tag}`);
    expect(found.body.items).toEqual([
      {
        id: organization.id,
        name: `Atelier ${tag}`,
        slug: organization.slug,
        createdAt: expect.any(String),
        members: 2,
        projects: 1,
        owners: [{ id: owner.id, name: 'Org Owner', email: owner.email }],
      },
    ]);
  });

  it('loses the console at once when the admin flag is taken away or the account disabled', async () => {
    const other = await make.user('Short-lived Admin');
    await db.updateTable('auth.users').set({ is_admin: true }).where('id', '=', other.id).execute();
    expect((await as(other).get('/api/admin/me')).status).toBe(200);
    await db.updateTable('auth.users').set({ is_admin: false }).where('id', '=', other.id).execute();
    expect((await as(other).get('/api/admin/me')).status).toBe(404);
  });
});

describe('admin status', () => {
  let target: App;
  let app: App;
  let platformAdmin: TestUser;
  const { db } = testDatabase();
  beforeAll(async () => {
    // One listening auth instance for the probes; messaging and collab point at ports where nothing listens.
    target = await authApp();
    const port = new URL(await listenOnLoopback(target)).port;
    app = await authApp({ AUTH_PORT: port, MESSAGING_PORT: String(await unusedPort()), COLLAB_PORT: String(await unusedPort()) });
    platformAdmin = await factories(db).user('Status Admin');
    await db.updateTable('auth.users').set({ is_admin: true }).where('id', '=', platformAdmin.id).execute();
  });
  afterAll(async () => {
    await app.close();
    await target.close();
    await db.destroy();
  });

  it('reports each instance, the stores, queue depths, versions and applied migrations', async () => {
    const answer = await httpClient(app, { token: platformAdmin.accessToken }).get<SystemStatus>('/api/admin/status');
    expect(answer.status).toBe(200);
    const status = answer.body;
    const service = (name: string) => status.services.find((s) => s.name === name);
    expect(service('auth')).toMatchObject({
      version: '0.1.0',
      instances: [{ status: 'ok', db: 'ok', redis: 'ok', uptimeSeconds: expect.any(Number) }],
    });
    expect(service('messaging')?.instances).toEqual([expect.objectContaining({ status: 'unreachable', db: null })]);
    expect(service('collab')?.instances).toEqual([expect.objectContaining({ status: 'unreachable' })]);
    expect(status.database).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+/) });
    expect(status.redis).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\./) });
    // auth's own maintenance queue, read off its /metrics.
    expect(status.queues).toContainEqual(
      expect.objectContaining({ service: 'auth', name: 'auth-maintenance', failed: expect.any(Number) }),
    );
    expect(status.migrations).toContainEqual(expect.objectContaining({ schema: 'auth', name: '0007_workspace_admin.sql' }));
    expect(status.migrations).toContainEqual(expect.objectContaining({ schema: 'collab', name: '0004_trash.sql' }));
    expect(status.migrations.some((m) => m.schema === 'messaging')).toBe(true);
    expect(status.release.version).toEqual(expect.any(String));
    expect(status.release.commit).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('the first account of a fresh install', () => {
  const name = `flux_test_fresh_${randomUUID().slice(0, 8)}`;
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test';
  const url = base.replace(/\/[^/]*$/, `/${name}`);
  let app: App;
  beforeAll(async () => {
    await migrate(url, { createDatabase: true });
    app = await authApp({ DATABASE_URL: url });
  });
  afterAll(async () => {
    await app?.close();
    await dropDatabase(url, () => {});
  });

  it('becomes a platform admin; the accounts after it do not', async () => {
    const http = httpClient(app);
    const first = await signup(http, 'First Operator');
    const second = await signup(http, 'Second Person');
    expect((await http.as(first).get<AdminUser>('/api/admin/me')).body).toMatchObject({ id: first.id, isAdmin: true });
    expect((await http.as(second).get('/api/admin/me')).status).toBe(404);
  });
});
