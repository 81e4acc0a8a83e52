import { randomUUID } from 'node:crypto';
import type { EventMap, EventName } from '@flux/shared';
import { EventBus } from '@flux/server-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuth, TEST_PASSWORD, type AuthHarness, type TestUser } from '../../../test/support/auth.js';
import { factories } from './factories.js';
import { testDatabase } from './helpers.js';

describe('organizations, members and projects', () => {
  let auth: AuthHarness;
  let owner: TestUser;
  const { db } = testDatabase();
  const make = factories(db);
  beforeAll(async () => {
    auth = await startAuth();
    owner = await make.user('Owner');
  });
  afterAll(async () => {
    await auth.close();
    await db.destroy();
  });

  const call = async (method: string, path: string, user: TestUser | undefined, body?: unknown) => {
    const response = await fetch(auth.url + path, {
      method,
      headers: {
        ...(user && { authorization: `Bearer ${user.accessToken}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  it('creates organizations with unique generated slugs and lists mine', async () => {
    const name = `Acme Studio ${randomUUID().slice(0, 6)}`;
    const a = await call('POST', '/api/organizations', owner, { name });
    const b = await call('POST', '/api/organizations', owner, { name });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ name, role: 'owner', slug: expect.stringMatching(/^acme-studio-/) });
    expect(b.body.slug).not.toBe(a.body.slug);
    const explicit = await call('POST', '/api/organizations', owner, { name: 'X', slug: a.body.slug });
    expect(explicit.status).toBe(409);
    const emoji = await call('POST', '/api/organizations', owner, { name: '🚀🚀' });
    expect(emoji.body.slug).toMatch(/^org/);

    const list = await call('GET', '/api/organizations', owner);
    expect(list.body.nextCursor).toBeNull();
    expect(list.body.items.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining([a.body.id, b.body.id]));
    const renamed = await call('PATCH', `/api/organizations/${a.body.id}`, owner, { name: 'Renamed' });
    expect(renamed.body).toMatchObject({ id: a.body.id, name: 'Renamed', slug: a.body.slug });
  });

  it('hides an organization and its projects from non-members with 404', async () => {
    const project = await auth.createProject(owner);
    const stranger = await make.user('Stranger');
    expect((await call('GET', `/api/organizations/${project.organizationId}`, stranger)).status).toBe(404);
    expect((await call('GET', `/api/organizations/${project.organizationId}/members`, stranger)).status).toBe(404);
    expect((await call('GET', `/api/projects/${project.id}`, stranger)).status).toBe(404);
    expect((await call('GET', `/api/projects?organizationId=${project.organizationId}`, stranger)).status).toBe(404);
    expect((await call('POST', `/api/organizations/${project.organizationId}/projects`, stranger, { name: 'x' })).status).toBe(404);
    expect((await call('GET', '/api/projects', stranger)).body.items).toEqual([]);
    expect((await call('GET', `/api/projects/${project.id}`, owner)).body).toMatchObject({
      id: project.id,
      organizationId: project.organizationId,
    });
    expect((await call('GET', `/api/projects/not-a-uuid`, owner)).status).toBe(400);
  });

  it('adds members by email with roles and enforces who manages them', async () => {
    const org = await auth.createOrganization(owner);
    const member = await make.user('Member');
    const guest = await make.user('Guest');
    const added = await call('POST', `/api/organizations/${org.id}/members`, owner, { email: member.email.toUpperCase(), role: 'member' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ status: 'added', member: { userId: member.id, role: 'member' } });
    expect((await call('POST', `/api/organizations/${org.id}/members`, owner, { email: member.email, role: 'admin' })).status).toBe(409);
    await auth.addMember(owner, org.id, guest, 'guest');

    // A plain member cannot manage members; guests cannot create projects.
    expect(
      (await call('POST', `/api/organizations/${org.id}/members`, member, { email: `${randomUUID()}@x.io`, role: 'member' })).status,
    ).toBe(403);
    expect((await call('PATCH', `/api/organizations/${org.id}/members/${guest.id}`, member, { role: 'admin' })).status).toBe(403);
    expect((await call('POST', `/api/organizations/${org.id}/projects`, guest, { name: 'p' })).status).toBe(403);
    expect((await call('POST', `/api/organizations/${org.id}/projects`, member, { name: 'p' })).status).toBe(201);

    await auth.setRole(owner, org.id, member, 'admin');
    // An admin manages members but cannot touch owners.
    expect((await call('PATCH', `/api/organizations/${org.id}/members/${owner.id}`, member, { role: 'member' })).status).toBe(403);
    expect((await call('DELETE', `/api/organizations/${org.id}/members/${guest.id}`, member)).status).toBe(204);

    const members = await call('GET', `/api/organizations/${org.id}/members`, owner);
    expect(members.body.items.map((m: { userId: string; role: string }) => [m.userId, m.role]).sort()).toEqual(
      [
        [owner.id, 'owner'],
        [member.id, 'admin'],
      ].sort(),
    );
    // A removed member loses access at once.
    expect((await call('GET', `/api/organizations/${org.id}`, guest)).status).toBe(404);
  });

  it('pages projects, members and organizations with a cursor', async () => {
    const org = await auth.createOrganization(owner);
    const created = [];
    for (let i = 0; i < 3; i++) created.push((await auth.createProject(owner, org.id)).id);
    const first = await call('GET', `/api/projects?organizationId=${org.id}&limit=2`, owner);
    expect(first.body.items.map((p: { id: string }) => p.id)).toEqual(created.slice(0, 2));
    const rest = await call('GET', `/api/projects?organizationId=${org.id}&limit=2&cursor=${first.body.nextCursor}`, owner);
    expect(rest.body.items.map((p: { id: string }) => p.id)).toEqual(created.slice(2));
    expect(rest.body.nextCursor).toBeNull();

    await auth.addMember(owner, org.id, await make.user('Paged'), 'member');
    const members = await call('GET', `/api/organizations/${org.id}/members?limit=1`, owner);
    expect(members.body.items).toHaveLength(1);
    const more = await call('GET', `/api/organizations/${org.id}/members?limit=1&cursor=${members.body.nextCursor}`, owner);
    expect(more.body.items).toHaveLength(1);
    expect(more.body.items[0].userId).not.toBe(members.body.items[0].userId);

    const orgs = await call('GET', '/api/organizations?limit=1', owner);
    expect(orgs.body.items).toHaveLength(1);
    expect(orgs.body.nextCursor).toEqual(expect.any(String));
    expect((await call('GET', '/api/organizations?cursor=not-a-cursor', owner)).status).toBe(400);
  });

  it('keeps at least one owner', async () => {
    const org = await auth.createOrganization(owner);
    const second = await make.user('Second');
    const leave = await call('DELETE', `/api/organizations/${org.id}/members/${owner.id}`, owner);
    expect(leave.status).toBe(409);
    expect(leave.body.error.code).toBe('last_owner');
    expect((await call('PATCH', `/api/organizations/${org.id}/members/${owner.id}`, owner, { role: 'admin' })).body.error.code).toBe(
      'last_owner',
    );

    await auth.addMember(owner, org.id, second, 'owner');
    expect((await call('DELETE', `/api/organizations/${org.id}/members/${owner.id}`, owner)).status).toBe(204);
    expect((await call('GET', `/api/organizations/${org.id}`, second)).body.role).toBe('owner');
  });

  it('invites an unknown email and makes it a member at signup', async () => {
    const org = await auth.createOrganization(owner);
    const email = `invitee-${randomUUID()}@example.com`;
    const invited = await call('POST', `/api/organizations/${org.id}/members`, owner, { email, role: 'guest' });
    expect(invited.body).toMatchObject({ status: 'invited', invitation: { email, role: 'guest' } });
    await expect
      .poll(async () =>
        ((await (await fetch(`${auth.url}/api/auth/dev/outbox?to=${encodeURIComponent(email)}`)).json()) as any).items.map(
          (m: { subject: string }) => m.subject,
        ),
      )
      .toEqual([expect.stringContaining('invited you')]);

    const signup = await fetch(`${auth.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: TEST_PASSWORD, name: 'Invitee' }),
    });
    const { accessToken } = (await signup.json()) as any;
    const seen = await fetch(`${auth.url}/api/organizations/${org.id}`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(seen.status).toBe(200);
    expect(((await seen.json()) as any).role).toBe('guest');
  });

  it('publishes user.created and membership.changed over Redis', async () => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const bus = new EventBus(redis, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', process.env.REDIS_PREFIX ?? 'flux:', auth.app.log);
    const seen: Array<{ name: EventName; payload: unknown }> = [];
    const listen = <N extends EventName>(name: N) => bus.subscribe(name, (payload: EventMap[N]) => void seen.push({ name, payload }));
    await listen('user.created');
    await listen('user.updated');
    await listen('membership.changed');
    try {
      const user = await auth.signup('Evented');
      const org = await auth.createOrganization(owner);
      await auth.addMember(owner, org.id, user, 'member');
      await auth.setRole(owner, org.id, user, 'guest');
      await auth.removeMember(owner, org.id, user);
      const renamed = await fetch(`${auth.url}/api/auth/me`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Renamed' }),
      });
      expect(((await renamed.json()) as any).user.name).toBe('Renamed');
      await expect.poll(() => seen.filter((e) => (e.payload as { userId: string }).userId === user.id).length).toBe(5);
      expect(seen.filter((e) => (e.payload as { userId: string }).userId === user.id)).toEqual([
        { name: 'user.created', payload: { userId: user.id, email: user.email, name: 'Evented' } },
        { name: 'membership.changed', payload: { organizationId: org.id, userId: user.id, role: 'member' } },
        { name: 'membership.changed', payload: { organizationId: org.id, userId: user.id, role: 'guest' } },
        { name: 'membership.changed', payload: { organizationId: org.id, userId: user.id, role: null } },
        { name: 'user.updated', payload: { userId: user.id, email: user.email, name: 'Renamed' } },
      ]);
    } finally {
      await bus.close();
      await redis.quit();
    }
  });
});
