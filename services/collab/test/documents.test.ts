import { randomUUID } from 'node:crypto';
import { createDatabase, EventBus } from '@flux/server-kit';
import type { CollabDocument, DocumentVersion, ErrorBody, Page } from '@flux/shared';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import { startAuth, type AuthHarness, type TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { type HttpClient, httpClient } from '../../../test/support/http.js';
import type { Database } from '../src/db/database.js';
import { createDocument } from './factories.js';
import { filePrefix, fixture, people, provider, startCollab, synced, type CollabServer, type Fixture } from './helpers.js';

/** `/api/documents*` (contract §6) with the real auth app deciding access. */
describe('document routes', () => {
  let auth: AuthHarness;
  let collab: CollabServer;
  let f: Fixture;
  let guest: TestUser;
  let stranger: TestUser;
  const { db } = createDatabase<Database>(process.env.DATABASE_URL!, 2);
  const providers: WebsocketProvider[] = [];
  let http: HttpClient;

  beforeAll(async () => {
    const prefix = filePrefix();
    auth = await startAuth({ REDIS_PREFIX: prefix });
    collab = await startCollab(auth, { REDIS_PREFIX: prefix });
    http = httpClient(collab.url);
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
    const created = await http.as(f.owner).post<CollabDocument>('/api/documents', { projectId: f.projectId, title: 'Roadmap' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), projectId: f.projectId, title: 'Roadmap', createdBy: f.owner.id });
    const fetched = await http.as(f.owner).get<CollabDocument>(`/api/documents/${created.body.id}/`);
    expect(fetched.body).toEqual(created.body);

    for (const title of ['b', 'c']) await http.as(f.owner).post('/api/documents', { projectId: f.projectId, title });
    const first = await http.as(f.owner).get<Page<CollabDocument>>(`/api/documents?projectId=${f.projectId}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((d) => d.title)).toEqual(['c', 'b']);
    const second = await http
      .as(f.owner)
      .get<Page<CollabDocument>>(`/api/documents?projectId=${f.projectId}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((d) => d.title)).toEqual(['Roadmap', 'Spec']);
    expect(second.body.nextCursor).toBeNull();
    // Guests may read.
    expect((await http.as(guest).get<Page<CollabDocument>>(`/api/documents?projectId=${f.projectId}`)).body.items).toHaveLength(4);
  });

  it('hides documents from non-members (404) and refuses guests writes (403)', async () => {
    expect((await http.as(stranger).get(`/api/documents/${f.documentId}`)).status).toBe(404);
    expect((await http.as(stranger).get(`/api/documents?projectId=${f.projectId}`)).status).toBe(404);
    expect((await http.as(stranger).post('/api/documents', { projectId: f.projectId, title: 'x' })).status).toBe(404);
    expect((await http.as(stranger).get(`/api/documents/${f.documentId}/versions`)).status).toBe(404);
    const denied = await http.as(guest).post<ErrorBody>('/api/documents', { projectId: f.projectId, title: 'x' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect((await http.as(guest).post(`/api/documents/${f.documentId}/versions`, { name: 'v' })).status).toBe(403);
    expect((await http.as(guest).get(`/api/documents/${f.documentId}`)).status).toBe(200);
  });

  it('answers bad input and missing auth with the error envelope', async () => {
    expect((await http.get(`/api/documents/${f.documentId}`)).status).toBe(401);
    const bad = await http.as(f.owner).post<ErrorBody>('/api/documents', { projectId: 'nope', title: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_error', details: { field: 'projectId' } });
    const missing = await http.as(f.owner).get<ErrorBody>('/api/documents');
    expect(missing.body.error.details).toMatchObject({ field: 'projectId' });
    const cursor = await http.as(f.owner).get(`/api/documents?projectId=${f.projectId}&cursor=garbage`);
    expect(cursor.status).toBe(400);
    expect((await http.as(f.owner).get('/api/documents/not-a-uuid')).status).toBe(400);
    expect((await http.as(f.owner).get(`/api/documents/${randomUUID()}`)).status).toBe(404);
    expect((await http.as(f.owner).post(`/api/documents/${f.documentId}/versions/${randomUUID()}/restore`)).status).toBe(404);
  });

  it('renames (writers) and deletes (creator or admin) into the trash, closing open sockets with 4403', async () => {
    const member = await people(auth).user();
    await people(auth).member(f.organizationId, member, 'member');
    const { id: docId } = await createDocument(db, { projectId: f.projectId, createdBy: member.id, title: 'Doomed' });
    const renamed = await http.as(f.owner).patch<CollabDocument>(`/api/documents/${docId}`, { title: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe('Renamed');
    expect((await http.as(guest).patch(`/api/documents/${docId}`, { title: 'x' })).status).toBe(403);
    expect((await http.as(stranger).patch(`/api/documents/${docId}`, { title: 'x' })).status).toBe(404);
    expect((await http.as(f.owner).patch(`/api/documents/${docId}`, { title: '' })).status).toBe(400);

    const { id: ownersDoc } = await createDocument(db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Not yours' });
    expect((await http.as(member).delete(`/api/documents/${ownersDoc}`)).status).toBe(403);
    expect((await http.as(guest).delete(`/api/documents/${ownersDoc}`)).status).toBe(403);

    const live = await synced(provider(collab.wsUrl, docId, member.accessToken));
    providers.push(live);
    live.doc.getText('content').insert(0, 'soon gone');
    const closed = new Promise<{ code: number }>((resolve) => live.on('closed', (event) => resolve(event)));
    expect((await http.as(member).delete(`/api/documents/${docId}`)).status).toBe(204);
    expect((await closed).code).toBe(4403);
    expect((await http.as(member).get(`/api/documents/${docId}`)).status).toBe(404);
    expect((await http.as(member).get(`/api/documents/${docId}/versions`)).status).toBe(404);
    // In the trash (see trash.test.ts), its content kept until the purge.
    expect((await db.selectFrom('collab.documents').select('deleted_by').where('id', '=', docId).executeTakeFirst())?.deleted_by).toBe(
      member.id,
    );
  });

  it('saves named versions and restores one live to connected clients', async () => {
    const { id: docId } = await createDocument(db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Versioned' });
    const a = await synced(provider(collab.wsUrl, docId, f.owner.accessToken));
    const b = await synced(provider(collab.wsUrl, docId, f.owner.accessToken));
    providers.push(a, b);
    a.doc.getText('content').insert(0, 'first draft');
    a.doc.getMap('meta').set('status', 'draft');
    await eventually(() => b.doc.getText('content').toString() === 'first draft', { what: 'b synced' });

    const version = await http.as(f.owner).post<DocumentVersion>(`/api/documents/${docId}/versions`, { name: 'Draft 1' });
    expect(version.status).toBe(201);
    expect(version.body).toMatchObject({ name: 'Draft 1', documentId: docId, createdBy: f.owner.id });
    expect(version.body.size).toBeGreaterThan(0);

    a.doc.getText('content').delete(0, 5);
    a.doc.getText('content').insert(0, 'second');
    a.doc.getMap('meta').set('status', 'final');
    a.doc.getArray('later').push(['added after the version']);
    await eventually(() => b.doc.getText('content').toString() === 'second draft', { what: 'b sees edits' });

    const listed = await http.as(f.owner).get<Page<DocumentVersion>>(`/api/documents/${docId}/versions`);
    expect(listed.body.items.map((v) => v.id)).toEqual([version.body.id]);

    const restored = await http.as(f.owner).post(`/api/documents/${docId}/versions/${version.body.id}/restore`);
    expect(restored.status).toBe(200);
    for (const p of [a, b]) {
      await eventually(() => p.doc.getText('content').toString() === 'first draft', { what: 'restore reaches client' });
      expect(p.doc.getMap('meta').get('status')).toBe('draft');
      expect(p.doc.getArray('later').length).toBe(0);
    }
    // The restore is an ordinary edit: clients keep editing on top of it.
    b.doc.getText('content').insert(0, '> ');
    await eventually(() => a.doc.getText('content').toString() === '> first draft', { what: 'a sees edit after restore' });
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
      await eventually(() => seen.length > 0, { what: 'document.updated' });
      expect(seen[0]).toMatchObject({ documentId: docId, projectId: f.projectId, updatedBy: [f.owner.id] });
      const after = await http.as(f.owner).get<CollabDocument>(`/api/documents/${docId}`);
      expect(Date.parse(after.body.updatedAt)).toBeGreaterThan(Date.parse(updatedAt));
    } finally {
      await bus.close();
      await redis.quit();
    }
  });
});
