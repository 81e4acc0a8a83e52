import { randomUUID } from 'node:crypto';
import { createDatabase, EventBus } from '@flux/server-kit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import { startAuth, type AuthHarness, type TestUser } from '../../../test/support/auth.js';
import type { Database } from '../src/db/database.js';
import { createDocument } from './factories.js';
import { api, filePrefix, fixture, people, provider, startCollab, synced, waitFor, type CollabServer, type Fixture } from './helpers.js';

/** `/api/documents*` (contract §6) with the real auth app deciding access. */
describe('document routes', () => {
  let auth: AuthHarness;
  let collab: CollabServer;
  let f: Fixture;
  let guest: TestUser;
  let stranger: TestUser;
  const { db } = createDatabase<Database>(process.env.DATABASE_URL!, 2);
  const providers: WebsocketProvider[] = [];
  const call = <T = any>(method: string, path: string, token?: string, body?: unknown) => api<T>(collab.url, method, path, token, body);

  beforeAll(async () => {
    const prefix = filePrefix();
    auth = await startAuth({ REDIS_PREFIX: prefix });
    collab = await startCollab(auth, { REDIS_PREFIX: prefix });
    f = await fixture(auth, collab);
    guest = await people(auth).user();
    await people(auth).member(f.organizationId, guest, 'guest');
    stranger = await people(auth).user();
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await collab?.close();
    await auth?.close();
    await db.destroy();
  });

  it('creates, fetches and lists documents page by page', async () => {
    const created = await call('POST', '/api/documents', f.owner.accessToken, { projectId: f.projectId, title: 'Roadmap' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), projectId: f.projectId, title: 'Roadmap', createdBy: f.owner.id });
    const fetched = await call('GET', `/api/documents/${created.body.id}/`, f.owner.accessToken);
    expect(fetched.body).toEqual(created.body);

    for (const title of ['b', 'c']) await call('POST', '/api/documents', f.owner.accessToken, { projectId: f.projectId, title });
    const first = await call('GET', `/api/documents?projectId=${f.projectId}&limit=2`, f.owner.accessToken);
    expect(first.status).toBe(200);
    expect(first.body.items.map((d: { title: string }) => d.title)).toEqual(['c', 'b']);
    const second = await call(
      'GET',
      `/api/documents?projectId=${f.projectId}&limit=2&cursor=${first.body.nextCursor}`,
      f.owner.accessToken,
    );
    expect(second.body.items.map((d: { title: string }) => d.title)).toEqual(['Roadmap', 'Spec']);
    expect(second.body.nextCursor).toBeNull();
    // Guests may read.
    expect((await call('GET', `/api/documents?projectId=${f.projectId}`, guest.accessToken)).body.items).toHaveLength(4);
  });

  it('hides documents from non-members (404) and refuses guests writes (403)', async () => {
    expect((await call('GET', `/api/documents/${f.documentId}`, stranger.accessToken)).status).toBe(404);
    expect((await call('GET', `/api/documents?projectId=${f.projectId}`, stranger.accessToken)).status).toBe(404);
    expect((await call('POST', '/api/documents', stranger.accessToken, { projectId: f.projectId, title: 'x' })).status).toBe(404);
    expect((await call('GET', `/api/documents/${f.documentId}/versions`, stranger.accessToken)).status).toBe(404);
    const denied = await call('POST', '/api/documents', guest.accessToken, { projectId: f.projectId, title: 'x' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect((await call('POST', `/api/documents/${f.documentId}/versions`, guest.accessToken, { name: 'v' })).status).toBe(403);
    expect((await call('GET', `/api/documents/${f.documentId}`, guest.accessToken)).status).toBe(200);
  });

  it('answers bad input and missing auth with the error envelope', async () => {
    expect((await call('GET', `/api/documents/${f.documentId}`)).status).toBe(401);
    const bad = await call('POST', '/api/documents', f.owner.accessToken, { projectId: 'nope', title: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_error', details: { field: 'projectId' } });
    const missing = await call('GET', '/api/documents', f.owner.accessToken);
    expect(missing.body.error.details.field).toBe('projectId');
    const cursor = await call('GET', `/api/documents?projectId=${f.projectId}&cursor=garbage`, f.owner.accessToken);
    expect(cursor.status).toBe(400);
    expect((await call('GET', '/api/documents/not-a-uuid', f.owner.accessToken)).status).toBe(400);
    expect((await call('GET', `/api/documents/${randomUUID()}`, f.owner.accessToken)).status).toBe(404);
    expect((await call('POST', `/api/documents/${f.documentId}/versions/${randomUUID()}/restore`, f.owner.accessToken)).status).toBe(404);
  });

  it('renames (writers) and deletes (creator or admin), closing open sockets with 4403', async () => {
    const member = await people(auth).user();
    await people(auth).member(f.organizationId, member, 'member');
    const { id: docId } = await createDocument(db, { projectId: f.projectId, createdBy: member.id, title: 'Doomed' });
    const renamed = await call('PATCH', `/api/documents/${docId}`, f.owner.accessToken, { title: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe('Renamed');
    expect((await call('PATCH', `/api/documents/${docId}`, guest.accessToken, { title: 'x' })).status).toBe(403);
    expect((await call('PATCH', `/api/documents/${docId}`, stranger.accessToken, { title: 'x' })).status).toBe(404);
    expect((await call('PATCH', `/api/documents/${docId}`, f.owner.accessToken, { title: '' })).status).toBe(400);

    const { id: ownersDoc } = await createDocument(db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Not yours' });
    expect((await call('DELETE', `/api/documents/${ownersDoc}`, member.accessToken)).status).toBe(403);
    expect((await call('DELETE', `/api/documents/${ownersDoc}`, guest.accessToken)).status).toBe(403);

    const live = await synced(provider(collab.wsUrl, docId, member.accessToken));
    providers.push(live);
    live.doc.getText('content').insert(0, 'soon gone');
    const closed = new Promise<{ code: number }>((resolve) => live.on('closed', (event) => resolve(event)));
    expect((await call('DELETE', `/api/documents/${docId}`, member.accessToken)).status).toBe(204);
    expect((await closed).code).toBe(4403);
    expect((await call('GET', `/api/documents/${docId}`, member.accessToken)).status).toBe(404);
    expect((await call('GET', `/api/documents/${docId}/versions`, member.accessToken)).status).toBe(404);
    expect((await db.selectFrom('collab.document_updates').select('id').where('document_id', '=', docId).execute()).length).toBe(0);
  });

  it('saves named versions and restores one live to connected clients', async () => {
    const { id: docId } = await createDocument(db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Versioned' });
    const a = await synced(provider(collab.wsUrl, docId, f.owner.accessToken));
    const b = await synced(provider(collab.wsUrl, docId, f.owner.accessToken));
    providers.push(a, b);
    a.doc.getText('content').insert(0, 'first draft');
    a.doc.getMap('meta').set('status', 'draft');
    await waitFor('b synced', () => b.doc.getText('content').toString() === 'first draft');

    const version = await call('POST', `/api/documents/${docId}/versions`, f.owner.accessToken, { name: 'Draft 1' });
    expect(version.status).toBe(201);
    expect(version.body).toMatchObject({ name: 'Draft 1', documentId: docId, createdBy: f.owner.id });
    expect(version.body.size).toBeGreaterThan(0);

    a.doc.getText('content').delete(0, 5);
    a.doc.getText('content').insert(0, 'second');
    a.doc.getMap('meta').set('status', 'final');
    a.doc.getArray('later').push(['added after the version']);
    await waitFor('b sees edits', () => b.doc.getText('content').toString() === 'second draft');

    const listed = await call('GET', `/api/documents/${docId}/versions`, f.owner.accessToken);
    expect(listed.body.items.map((v: { id: string }) => v.id)).toEqual([version.body.id]);

    const restored = await call('POST', `/api/documents/${docId}/versions/${version.body.id}/restore`, f.owner.accessToken);
    expect(restored.status).toBe(200);
    for (const p of [a, b]) {
      await waitFor('restore reaches client', () => p.doc.getText('content').toString() === 'first draft');
      expect(p.doc.getMap('meta').get('status')).toBe('draft');
      expect(p.doc.getArray('later').length).toBe(0);
    }
    // The restore is an ordinary edit: clients keep editing on top of it.
    b.doc.getText('content').insert(0, '> ');
    await waitFor('a sees edit after restore', () => a.doc.getText('content').toString() === '> first draft');
  });

  it('publishes document.updated after edits and bumps updatedAt', async () => {
    const { id: docId, updatedAt } = await createDocument(db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Events' });
    const seen: unknown[] = [];
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const bus = new EventBus(redis, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', collab.config.redisPrefix, collab.app.log);
    await bus.subscribe('document.updated', (event) => {
      if (event.documentId === docId) seen.push(event);
    });
    try {
      const p = await synced(provider(collab.wsUrl, docId, f.owner.accessToken));
      providers.push(p);
      for (const ch of 'abc') p.doc.getText('content').insert(0, ch);
      await waitFor('document.updated', () => seen.length > 0);
      expect(seen[0]).toMatchObject({ documentId: docId, projectId: f.projectId, updatedBy: [f.owner.id] });
      const after = await call('GET', `/api/documents/${docId}`, f.owner.accessToken);
      expect(Date.parse(after.body.updatedAt)).toBeGreaterThan(Date.parse(updatedAt));
    } finally {
      await bus.close();
      await redis.quit();
    }
  });
});
