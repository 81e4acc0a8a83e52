import { randomUUID } from 'node:crypto';
import { createPrivateKey } from 'node:crypto';
import { AuthClient, EnvReader, readBaseConfig, ServiceTokens } from '@flux/server-kit';
import type { InternalUserList } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { startAuth, type AuthHarness } from '../../../test/support/auth.js';
import { factories } from './factories.js';
import { testDatabase } from './helpers.js';
import { httpClient } from '../../../test/support/http.js';

/** Messaging's service tokens, signed with messaging's own key as messaging would read it. */
function messagingTokens(): ServiceTokens {
  const config = readBaseConfig(new EnvReader({ ...process.env }), 'messaging');
  return new ServiceTokens({ service: 'messaging', privateKey: config.serviceKey, callers: config.serviceCallerKeys });
}

describe('internal routes', () => {
  let auth: AuthHarness;
  let client: AuthClient;
  const { db } = testDatabase();
  const make = factories(db);
  beforeAll(async () => {
    auth = await startAuth();
    // The key messaging itself would read from the dev secrets file.
    client = new AuthClient(auth.url, messagingTokens());
  });
  afterAll(async () => {
    await auth.close();
    await db.destroy();
  });

  it('answers users, project access and members to a service token', async () => {
    const owner = await make.user('Owner');
    const guest = await make.user('Guest');
    const outsider = await make.user('Outsider');
    const project = await auth.createProject(owner);
    await auth.addMember(owner, project.organizationId, guest, 'guest');

    expect(await client.user(owner.id)).toEqual({ id: owner.id, email: owner.email, name: 'Owner' });
    expect(await client.user(randomUUID())).toBeNull();
    expect(await client.projectAccess(project.id, guest.id)).toEqual({
      projectId: project.id,
      organizationId: project.organizationId,
      userId: guest.id,
      role: 'guest',
    });
    expect((await client.projectAccess(project.id, outsider.id))?.role).toBeNull();
    expect(await client.projectAccess(randomUUID(), owner.id)).toBeNull();
    const members = await client.projectMembers(project.id);
    expect(members?.members).toEqual(
      expect.arrayContaining([
        { userId: owner.id, role: 'owner' },
        { userId: guest.id, role: 'guest' },
      ]),
    );
    expect(members?.members).toHaveLength(2);

    await auth.setRole(owner, project.organizationId, guest, 'member');
    expect((await client.projectAccess(project.id, guest.id))?.role).toBe('member');
    await auth.removeMember(owner, project.organizationId, guest);
    expect((await client.projectAccess(project.id, guest.id))?.role).toBeNull();
  });

  it('looks users up in bulk', async () => {
    const a = await make.user('Bulk A');
    const b = await make.user('Bulk B');
    const token = await messagingTokens().sign('auth');
    const service = httpClient(auth.url, { headers: { authorization: `Service ${token}` } });
    const response = await service.get<InternalUserList>(`/internal/users?ids=${a.id},${b.id},${randomUUID()}`);
    expect(response.status).toBe(200);
    const body = response.body;
    expect(body.items.map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
    const bad = await service.get('/internal/users?ids=x');
    expect(bad.status).toBe(400);
    const tooMany = Array.from({ length: 101 }, () => randomUUID()).join(',');
    const over = await service.get(`/internal/users?ids=${tooMany}`);
    expect(over.status).toBe(400);

    // The client splits a long list into calls of 100 and leaves out ids auth does not know.
    const many = [...Array.from({ length: 150 }, () => randomUUID()), a.id, b.id];
    expect((await client.users(many)).sort((x, y) => x.id.localeCompare(y.id))).toEqual(
      [
        { id: a.id, email: a.email, name: 'Bulk A' },
        { id: b.id, email: b.email, name: 'Bulk B' },
      ].sort((x, y) => x.id.localeCompare(y.id)),
    );
    expect(await client.users([])).toEqual([]);
  });

  it('answers which people share an organization with a user', async () => {
    const alice = await make.user('Alice');
    const colleague = await make.user('Colleague');
    const guest = await make.user('Guest elsewhere');
    const stranger = await make.user('Stranger');
    const first = await make.organization(alice);
    await make.member(first.id, colleague, 'member');
    const other = await make.organization(stranger);
    await make.member(other.id, guest, 'guest');
    const second = await make.organization(guest);
    await make.member(second.id, alice, 'guest');
    const unknown = randomUUID();

    const shared = await client.sharingOrganization(alice.id, [colleague.id, guest.id, stranger.id, unknown, colleague.id]);
    expect(shared.sort()).toEqual([colleague.id, guest.id].sort());
    expect(await client.sharingOrganization(stranger.id, [alice.id, colleague.id])).toEqual([]);
    expect(await client.sharingOrganization(alice.id, [])).toEqual([]);
    // Over auth's 500 per call, the client splits and still finds them.
    const many = [...Array.from({ length: 600 }, () => randomUUID()), colleague.id];
    expect(await client.sharingOrganization(alice.id, many)).toEqual([colleague.id]);

    const token = await messagingTokens().sign('auth');
    const service = httpClient(auth.url, { headers: { authorization: `Service ${token}` } });
    const tooMany = await service.post('/internal/users/shared-organization', {
      userId: alice.id,
      otherIds: Array.from({ length: 501 }, () => randomUUID()),
    });
    expect(tooMany.status).toBe(400);
    expect((await service.post('/internal/users/shared-organization', { userId: alice.id, otherIds: ['nope'] })).status).toBe(400);
    const anonymous = await httpClient(auth.url).post('/internal/users/shared-organization', { userId: alice.id, otherIds: [] });
    expect(anonymous.status).toBe(401);
  });

  it('refuses calls without a valid service token, including a user access token', async () => {
    const user = await make.user();
    for (const authorization of [undefined, `Bearer ${user.accessToken}`, `Service ${user.accessToken}`]) {
      const response = await httpClient(auth.url, { headers: authorization ? { authorization } : {} }).get(`/internal/users/${user.id}`);
      expect(response.status).toBe(401);
    }
  });

  it("refuses a token signed with messaging's key that claims to come from another service", async () => {
    const user = await make.user();
    const messagingKey = createPrivateKey(readBaseConfig(new EnvReader({ ...process.env }), 'messaging').serviceKey);
    const forged = (sub: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'EdDSA' })
        .setIssuer('flux-internal')
        .setSubject(sub)
        .setAudience('auth')
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(messagingKey);
    for (const sub of ['auth', 'collab']) {
      const answer = await httpClient(auth.url, { headers: { authorization: `Service ${await forged(sub)}` } }).get(
        `/internal/users/${user.id}`,
      );
      expect(answer.status).toBe(401);
    }
    // The same key in its own name works: only the impersonation is refused.
    const own = await httpClient(auth.url, { headers: { authorization: `Service ${await forged('messaging')}` } }).get(
      `/internal/users/${user.id}`,
    );
    expect(own.status).toBe(200);
  });
});
