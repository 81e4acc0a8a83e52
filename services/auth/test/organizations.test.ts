import { randomUUID } from 'node:crypto';
import { type App, EventBus } from '@flux/server-kit';
import type { ErrorBody, EventMap, EventName, FanoutEventName, Member, MeResponse, Organization, Page, Project } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import { inviteAndAccept } from '../../../test/support/invitations.js';
import { factories } from './factories.js';
import { authApp, signup, testDatabase } from './helpers.js';

describe('organizations, members and projects', () => {
  let app: App;
  let owner: TestUser;
  const { db } = testDatabase();
  const make = factories(db);
  beforeAll(async () => {
    app = await authApp();
    owner = await make.user('Owner');
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  /** The API as this user (or anonymously). */
  const as = (user: { accessToken: string } | undefined) => httpClient(app, { token: user?.accessToken });

  it('creates organizations with unique generated slugs and lists mine', async () => {
    const name = `Acme Studio ${randomUUID().slice(0, 6)}`;
    const a = await as(owner).post<Organization>('/api/organizations', { name });
    const b = await as(owner).post<Organization>('/api/organizations', { name });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ name, role: 'owner', slug: expect.stringMatching(/^acme-studio-/) });
    expect(b.body.slug).not.toBe(a.body.slug);
    const explicit = await as(owner).post('/api/organizations', { name: 'X', slug: a.body.slug });
    expect(explicit.status).toBe(409);
    const emoji = await as(owner).post<Organization>('/api/organizations', { name: '🚀🚀' });
    expect(emoji.body.slug).toMatch(/^org/);

    const list = await as(owner).get<Page<Organization>>('/api/organizations');
    expect(list.body.nextCursor).toBeNull();
    expect(list.body.items.map((o) => o.id)).toEqual(expect.arrayContaining([a.body.id, b.body.id]));
    const renamed = await as(owner).patch<Organization>(`/api/organizations/${a.body.id}`, { name: 'Renamed' });
    expect(renamed.body).toMatchObject({ id: a.body.id, name: 'Renamed', slug: a.body.slug });
  });

  it('hides an organization and its projects from non-members with 404', async () => {
    const project = await make.project(owner);
    const stranger = await make.user('Stranger');
    expect((await as(stranger).get(`/api/organizations/${project.organizationId}`)).status).toBe(404);
    expect((await as(stranger).get(`/api/organizations/${project.organizationId}/members`)).status).toBe(404);
    expect((await as(stranger).get(`/api/projects/${project.id}`)).status).toBe(404);
    expect((await as(stranger).get(`/api/projects?organizationId=${project.organizationId}`)).status).toBe(404);
    expect((await as(stranger).post(`/api/organizations/${project.organizationId}/projects`, { name: 'x' })).status).toBe(404);
    expect((await as(stranger).get<Page<Project>>('/api/projects')).body.items).toEqual([]);
    expect((await as(owner).get<Project>(`/api/projects/${project.id}`)).body).toMatchObject({
      id: project.id,
      organizationId: project.organizationId,
    });
    expect((await as(owner).get('/api/projects/not-a-uuid')).status).toBe(400);
  });

  it('invites members by email with roles, who join by accepting, and enforces who manages them', async () => {
    const org = await make.organization(owner);
    const member = await make.user('Member');
    const guest = await make.user('Guest');
    const joined = await inviteAndAccept(as(undefined), owner, org.id, { ...member, email: member.email.toUpperCase() }, 'member');
    expect(joined).toMatchObject({ id: org.id, role: 'member' });
    const again = await as(owner).post<ErrorBody>(`/api/organizations/${org.id}/members`, { email: member.email, role: 'admin' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_member');
    await make.member(org.id, guest, 'guest');

    // A plain member cannot manage members; guests cannot create projects.
    expect((await as(member).post(`/api/organizations/${org.id}/members`, { email: `${randomUUID()}@x.io`, role: 'member' })).status).toBe(
      403,
    );
    expect((await as(member).patch(`/api/organizations/${org.id}/members/${guest.id}`, { role: 'admin' })).status).toBe(403);
    expect((await as(guest).post(`/api/organizations/${org.id}/projects`, { name: 'p' })).status).toBe(403);
    expect((await as(member).post(`/api/organizations/${org.id}/projects`, { name: 'p' })).status).toBe(201);

    expect((await as(owner).patch(`/api/organizations/${org.id}/members/${member.id}`, { role: 'admin' })).status).toBe(200);
    // An admin manages members but cannot touch owners.
    expect((await as(member).patch(`/api/organizations/${org.id}/members/${owner.id}`, { role: 'member' })).status).toBe(403);
    expect((await as(member).delete(`/api/organizations/${org.id}/members/${guest.id}`)).status).toBe(204);

    const members = await as(owner).get<Page<Member>>(`/api/organizations/${org.id}/members`);
    expect(members.body.items.map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [owner.id, 'owner'],
        [member.id, 'admin'],
      ].sort(),
    );
    // A removed member loses access at once.
    expect((await as(guest).get(`/api/organizations/${org.id}`)).status).toBe(404);
  });

  it('pages projects, members and organizations with a cursor', async () => {
    const org = await make.organization(owner);
    const created: string[] = [];
    // Through the API, one after the other: the order under test is the order of creation.
    for (let i = 0; i < 3; i++)
      created.push((await as(owner).post<Project>(`/api/organizations/${org.id}/projects`, { name: `P${i}` })).body.id);
    const first = await as(owner).get<Page<Project>>(`/api/projects?organizationId=${org.id}&limit=2`);
    expect(first.body.items.map((p) => p.id)).toEqual(created.slice(0, 2));
    const rest = await as(owner).get<Page<Project>>(`/api/projects?organizationId=${org.id}&limit=2&cursor=${first.body.nextCursor}`);
    expect(rest.body.items.map((p) => p.id)).toEqual(created.slice(2));
    expect(rest.body.nextCursor).toBeNull();

    await make.member(org.id, await make.user('Paged'), 'member');
    const members = await as(owner).get<Page<Member>>(`/api/organizations/${org.id}/members?limit=1`);
    expect(members.body.items).toHaveLength(1);
    const more = await as(owner).get<Page<Member>>(`/api/organizations/${org.id}/members?limit=1&cursor=${members.body.nextCursor}`);
    expect(more.body.items).toHaveLength(1);
    expect(more.body.items[0]!.userId).not.toBe(members.body.items[0]!.userId);

    const orgs = await as(owner).get<Page<Organization>>('/api/organizations?limit=1');
    expect(orgs.body.items).toHaveLength(1);
    expect(orgs.body.nextCursor).toEqual(expect.any(String));
    expect((await as(owner).get('/api/organizations?cursor=not-a-cursor')).status).toBe(400);
  });

  it('keeps at least one owner', async () => {
    const org = await make.organization(owner);
    const second = await make.user('Second');
    const leave = await as(owner).delete<ErrorBody>(`/api/organizations/${org.id}/members/${owner.id}`);
    expect(leave.status).toBe(409);
    expect(leave.body.error.code).toBe('last_owner');
    expect((await as(owner).patch<ErrorBody>(`/api/organizations/${org.id}/members/${owner.id}`, { role: 'admin' })).body.error.code).toBe(
      'last_owner',
    );

    await make.member(org.id, second, 'owner');
    expect((await as(owner).delete(`/api/organizations/${org.id}/members/${owner.id}`)).status).toBe(204);
    expect((await as(second).get<Organization>(`/api/organizations/${org.id}`)).body.role).toBe('owner');
  });

  it("shows members' emails to owners and admins only; members and guests see names", async () => {
    const org = await make.organization(owner);
    const admin = await make.user('Admin');
    const member = await make.user('Member');
    const guest = await make.user('Guest');
    await make.member(org.id, admin, 'admin');
    await make.member(org.id, member, 'member');
    await make.member(org.id, guest, 'guest');
    for (const viewer of [owner, admin]) {
      const list = await as(viewer).get<Page<Member>>(`/api/organizations/${org.id}/members`);
      expect(list.body.items.find((m) => m.userId === guest.id)).toMatchObject({ name: 'Guest', email: guest.email });
    }
    for (const viewer of [member, guest]) {
      const list = await as(viewer).get<Page<Member>>(`/api/organizations/${org.id}/members`);
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(4);
      for (const m of list.body.items) expect(m).not.toHaveProperty('email');
      expect(list.body.items.find((m) => m.userId === owner.id)?.name).toBe('Owner');
    }
  });

  it('publishes user.created and user.updated over Redis pub/sub, membership.changed durably on its stream', async () => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const bus = new EventBus(redis, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', process.env.REDIS_PREFIX ?? 'flux:', app.log);
    const seen: Array<{ name: EventName; payload: unknown }> = [];
    const listen = <N extends FanoutEventName>(name: N) => bus.subscribe(name, (payload: EventMap[N]) => void seen.push({ name, payload }));
    await listen('user.created');
    await listen('user.updated');
    const memberships: Array<EventMap['membership.changed']> = [];
    await app.streams.follow('membership.changed', (event) => void memberships.push(event.payload));
    try {
      const user = await signup(as(undefined), 'Evented');
      const org = await make.organization(owner);
      await inviteAndAccept(as(undefined), owner, org.id, user, 'member');
      expect((await as(owner).patch(`/api/organizations/${org.id}/members/${user.id}`, { role: 'guest' })).status).toBe(200);
      expect((await as(owner).delete(`/api/organizations/${org.id}/members/${user.id}`)).status).toBe(204);
      const renamed = await as(user).patch<MeResponse>('/api/auth/me', { name: 'Renamed' });
      expect(renamed.body.user.name).toBe('Renamed');
      const about = <T extends { userId: string }>(events: T[]) => events.filter((e) => e.userId === user.id);
      await eventually(
        () => {
          expect(seen.filter((e) => (e.payload as { userId: string }).userId === user.id)).toHaveLength(2);
          expect(about(memberships)).toHaveLength(3);
          return true;
        },
        { what: 'five events about the user' },
      );
      expect(seen.filter((e) => (e.payload as { userId: string }).userId === user.id)).toEqual([
        { name: 'user.created', payload: { userId: user.id, email: user.email, name: 'Evented' } },
        { name: 'user.updated', payload: { userId: user.id, email: user.email, name: 'Renamed' } },
      ]);
      expect(about(memberships)).toEqual([
        { organizationId: org.id, userId: user.id, role: 'member' },
        { organizationId: org.id, userId: user.id, role: 'guest' },
        { organizationId: org.id, userId: user.id, role: null },
      ]);
    } finally {
      await bus.close();
      await redis.quit();
    }
  });
});
