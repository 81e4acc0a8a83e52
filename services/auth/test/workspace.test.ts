import type { App } from '@flux/server-kit';
import type { ErrorBody, EventMap, Page, Project, SecurityEvent } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

/** Renaming and archiving projects, deleting an organization with its name typed again. */
describe('workspace: projects and organization deletion', () => {
  let app: App;
  const { db } = testDatabase();
  const make = factories(db);
  const memberships: EventMap['membership.changed'][] = [];
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let stranger: TestUser;
  beforeAll(async () => {
    app = await authApp();
    await app.streams.follow('membership.changed', (event) => void memberships.push(event.payload));
    [owner, admin, member, stranger] = await Promise.all([
      make.user('Owner'),
      make.user('Admin'),
      make.user('Member'),
      make.user('Stranger'),
    ]);
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const as = (user: TestUser | undefined) => httpClient(app, { token: user?.accessToken });
  const organizationWithTeam = async (name: string) => {
    const organization = await make.organization(owner, name);
    await make.member(organization.id, admin, 'admin');
    await make.member(organization.id, member, 'member');
    const project = await make.project(owner, organization.id);
    return { organization, project };
  };

  it('renames, archives and restores a project (owners and admins), refusing members (403) and strangers (404)', async () => {
    const { project } = await organizationWithTeam('Studio North');
    const renamed = await as(admin).patch<Project>(`/api/projects/${project.id}`, { name: '  Spring campaign ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: project.id, name: 'Spring campaign', archivedAt: null });

    const archived = await as(owner).patch<Project>(`/api/projects/${project.id}`, { archived: true });
    expect(archived.body.archivedAt).toEqual(expect.any(String));
    // Archiving twice keeps the first date.
    const twice = await as(owner).patch<Project>(`/api/projects/${project.id}`, { archived: true });
    expect(twice.body.archivedAt).toBe(archived.body.archivedAt);
    // Still listed and readable by members (the web shows it apart, out of the sidebar).
    const listed = await as(member).get<Page<Project>>(`/api/projects?organizationId=${project.organizationId}`);
    expect(listed.body.items.find((p) => p.id === project.id)?.archivedAt).toBe(archived.body.archivedAt);
    const restored = await as(owner).patch<Project>(`/api/projects/${project.id}`, { archived: false });
    expect(restored.body.archivedAt).toBeNull();

    const refused = await as(member).patch<ErrorBody>(`/api/projects/${project.id}`, { name: 'Mine now' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await as(stranger).patch(`/api/projects/${project.id}`, { name: 'x' })).status).toBe(404);
    expect((await as(owner).patch(`/api/projects/${project.id}`, { name: '   ' })).status).toBe(400);
    expect((await as(owner).patch(`/api/projects/${project.id}`, {})).status).toBe(400);
    expect((await as(undefined).patch(`/api/projects/${project.id}`, { name: 'x' })).status).toBe(401);
  });

  it('deletes an organization only for an owner who types its name, removing everyone and announcing it', async () => {
    const { organization, project } = await organizationWithTeam('Doomed & Co');
    const path = `/api/organizations/${organization.id}`;

    expect((await as(admin).delete(path, { body: { confirmName: 'Doomed & Co' } })).status).toBe(403);
    expect((await as(member).delete(path, { body: { confirmName: 'Doomed & Co' } })).status).toBe(403);
    expect((await as(stranger).delete(path, { body: { confirmName: 'Doomed & Co' } })).status).toBe(404);
    const mistyped = await as(owner).delete<ErrorBody>(path, { body: { confirmName: 'doomed & co' } });
    expect(mistyped.status).toBe(400);
    expect(mistyped.body.error).toMatchObject({ code: 'confirmation_mismatch', details: { field: 'confirmName' } });
    expect((await as(owner).delete(path)).status).toBe(400);
    expect((await as(owner).get(path)).status).toBe(200);

    expect((await as(owner).delete(path, { body: { confirmName: ' Doomed & Co ' } })).status).toBe(204);
    for (const user of [owner, admin, member]) {
      expect((await as(user).get(path)).status).toBe(404);
      expect((await as(user).get(`/api/projects/${project.id}`)).status).toBe(404);
    }
    expect(await db.selectFrom('auth.projects').select('id').where('id', '=', project.id).executeTakeFirst()).toBeUndefined();
    // Each member leaves through membership.changed (messaging and collab drop their access).
    await eventually(() => memberships.filter((e) => e.organizationId === organization.id && e.role === null).length === 3, {
      what: 'three removals announced',
    });
    const removed = memberships.filter((e) => e.organizationId === organization.id && e.role === null).map((e) => e.userId);
    expect(removed.sort()).toEqual([owner.id, admin.id, member.id].sort());
    const events = await as(owner).get<Page<SecurityEvent>>('/api/auth/security-events?type=organization_deleted');
    expect(events.body.items[0]?.metadata).toMatchObject({ organizationId: organization.id, name: 'Doomed & Co', members: 3 });
  });
});
