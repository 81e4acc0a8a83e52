import { createDatabase } from '@flux/server-kit';
import type { Conversation } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { type AuthHarness, client, connect, type MessagingServer, startAuth, startMessaging, users } from './helpers.js';

/** Members of project conversations are re-checked against auth, so no lost event leaves access behind. */
describe('project conversation access', () => {
  let auth: AuthHarness;
  let shortCache: MessagingServer;
  let longCache: MessagingServer;
  beforeAll(async () => {
    auth = await startAuth();
    shortCache = await startMessaging(auth, { PROJECT_ACCESS_CACHE_MS: '200' });
    longCache = await startMessaging(auth, { PROJECT_ACCESS_CACHE_MS: '30000' });
  });
  afterAll(async () => {
    await shortCache?.close();
    await longCache?.close();
    await auth?.close();
  });

  async function channel(server: MessagingServer) {
    const [owner, member] = await users(auth, 'Owner', 'Member');
    const project = await auth.createProject(owner);
    await auth.addMember(owner, project.organizationId, member, 'member');
    const created = await client(server.url, owner).post<Conversation>('/api/conversations', { type: 'project', projectId: project.id });
    expect(created.status).toBe(201);
    // The member reads it once, so their access is in the cache.
    expect((await client(server.url, member).get(`/api/conversations/${created.body.id}`)).status).toBe(200);
    return { owner, member, project, conversationId: created.body.id };
  }

  it('a member removed without any event loses the conversation once the cached answer is older than the cache time', async () => {
    const { member, project, conversationId } = await channel(shortCache);
    // Removed behind messaging's back: no membership.changed is ever written.
    const { sql } = createDatabase(shortCache.config.databaseUrl, 1);
    await sql`delete from auth.organization_members where organization_id = ${project.organizationId} and user_id = ${member.id}`;
    await sql.end();
    await eventually(async () => (await client(shortCache.url, member).get(`/api/conversations/${conversationId}`)).status === 404, {
      what: 'the member lost access',
    });
    // And they are no longer a member: the conversation left their list too.
    const list = await client(shortCache.url, member).get<{ items: Conversation[] }>('/api/conversations');
    expect(list.body.items.some((c) => c.id === conversationId)).toBe(false);
  });

  it('a socket connecting after a removal that sent no event does not join that conversation, which leaves the member list', async () => {
    const { member, project, conversationId } = await channel(shortCache);
    const { sql } = createDatabase(shortCache.config.databaseUrl, 1);
    await sql`delete from auth.organization_members where organization_id = ${project.organizationId} and user_id = ${member.id}`;
    await sql.end();
    // Only sockets connect (no request touches the conversation itself); once the cached answer
    // has aged out, a connecting socket re-checks and the membership goes.
    await eventually(
      async () => {
        const socket = await connect(shortCache.url, member);
        socket.disconnect();
        const list = await client(shortCache.url, member).get<{ items: Conversation[] }>('/api/conversations');
        return !list.body.items.some((c) => c.id === conversationId);
      },
      { what: 'the conversation left the member list' },
    );
  });

  it('a removal through auth takes the conversation away within the event, long before the cache time', async () => {
    const { owner, member, project, conversationId } = await channel(longCache);
    await auth.removeMember(owner, project.organizationId, member);
    await eventually(async () => (await client(longCache.url, member).get(`/api/conversations/${conversationId}`)).status === 404, {
      what: 'the member lost access',
    });
  });
});
