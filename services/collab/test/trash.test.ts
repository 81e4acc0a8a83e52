import { createDatabase, createQueueFactory } from '@flux/server-kit';
import type { CollabDocument, ErrorBody, Page, TrashedDocument } from '@flux/shared';
import { CollabCloseCodes } from '@flux/shared/constants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import { type AuthHarness, startAuth, type TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import type { Database } from '../src/db/database.js';
import { PURGE_TRASH_JOB, purgeExpiredTrash, TRASH_QUEUE } from '../src/jobs/purge-trash.js';
import { createDocument } from './factories.js';
import {
  type CollabServer,
  closeCode,
  type Fixture,
  filePrefix,
  fixture,
  people,
  provider,
  rawSocket,
  startCollab,
  synced,
} from './helpers.js';

const DAY = 86_400_000;

/** Deleting a document moves it to its project's trash: hidden everywhere, restorable, purged after COLLAB_TRASH_DAYS. */
describe('document trash', () => {
  let auth: AuthHarness;
  let collab: CollabServer;
  let f: Fixture;
  let member: TestUser;
  let guest: TestUser;
  let stranger: TestUser;
  const { db } = createDatabase<Database>(process.env.DATABASE_URL!, 2);
  const providers: WebsocketProvider[] = [];

  beforeAll(async () => {
    const prefix = filePrefix();
    auth = await startAuth({ REDIS_PREFIX: prefix });
    collab = await startCollab(auth, { REDIS_PREFIX: prefix, COLLAB_TRASH_PURGE_EVERY_SECONDS: '600' });
    f = await fixture(auth, collab);
    member = await people(auth).user();
    await people(auth).member(f.organizationId, member, 'member');
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

  const trashOf = async (user: TestUser) =>
    collab.http.as(user).get<Page<TrashedDocument>>(`/api/documents/trash?projectId=${f.projectId}`);

  it('hides a deleted document from lists, reads, renames and sockets, lists it in the trash, and restores it with its content', async () => {
    const { id } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: member.id, title: 'Moodboard' });
    const writer = await synced(provider(collab.wsUrl, id, member.accessToken));
    providers.push(writer);
    writer.doc.getMap('meta').set('palette', 'teal and sand');
    // Flushed (COLLAB_FLUSH_INTERVAL_MS 50) before the deletion closes the room.
    await eventually(
      async () => (await db.selectFrom('collab.document_updates').select('id').where('document_id', '=', id).execute()).length > 0,
      {
        what: 'the edit persisted',
      },
    );
    writer.destroy();

    const deleted = await collab.http.as(member).delete(`/api/documents/${id}`);
    expect(deleted.status).toBe(204);

    const listed = await collab.http.as(f.owner).get<Page<CollabDocument>>(`/api/documents?projectId=${f.projectId}`);
    expect(listed.body.items.map((d) => d.id)).not.toContain(id);
    expect((await collab.http.as(member).get(`/api/documents/${id}`)).status).toBe(404);
    expect((await collab.http.as(member).patch(`/api/documents/${id}`, { title: 'x' })).status).toBe(404);
    expect((await collab.http.as(member).delete(`/api/documents/${id}`)).status).toBe(404);
    expect(await closeCode(rawSocket(collab.wsUrl, id, member.accessToken))).toBe(CollabCloseCodes.forbidden);

    const trash = await trashOf(f.owner);
    expect(trash.status).toBe(200);
    const entry = trash.body.items.find((d) => d.id === id);
    expect(entry).toMatchObject({ title: 'Moodboard', createdBy: member.id, deletedBy: member.id });
    expect(Date.parse(entry!.purgeAt) - Date.parse(entry!.deletedAt)).toBe(30 * DAY);

    // The trash is the writers': guests are refused, strangers learn nothing.
    expect((await trashOf(guest)).status).toBe(403);
    expect((await trashOf(stranger)).status).toBe(404);
    expect((await collab.http.as(guest).post(`/api/documents/${id}/restore`)).status).toBe(403);
    expect((await collab.http.as(stranger).post(`/api/documents/${id}/restore`)).status).toBe(404);

    // Any writer may restore (it loses nothing); the document comes back with its content.
    const restored = await collab.http.as(f.owner).post<CollabDocument>(`/api/documents/${id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ id, title: 'Moodboard', projectId: f.projectId });
    expect((await collab.http.as(member).get(`/api/documents/${id}`)).status).toBe(200);
    expect((await trashOf(f.owner)).body.items.map((d) => d.id)).not.toContain(id);
    const again = await collab.http.as(f.owner).post<ErrorBody>(`/api/documents/${id}/restore`);
    expect(again.status).toBe(404);
    const reader = await synced(provider(collab.wsUrl, id, f.owner.accessToken));
    providers.push(reader);
    expect(reader.doc.getMap('meta').get('palette')).toBe('teal and sand');
  });

  it('deletes a document in the trash for good (its creator or an admin), and nothing that is not in the trash', async () => {
    const { id } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Scrap' });
    expect((await collab.http.as(f.owner).delete(`/api/documents/trash/${id}`)).status).toBe(404);
    expect((await collab.http.as(f.owner).delete(`/api/documents/${id}`)).status).toBe(204);
    const refused = await collab.http.as(member).delete<ErrorBody>(`/api/documents/trash/${id}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('Only the creator or an organization admin can delete this document.');
    expect((await collab.http.as(guest).delete(`/api/documents/trash/${id}`)).status).toBe(403);
    expect((await collab.http.as(stranger).delete(`/api/documents/trash/${id}`)).status).toBe(404);
    expect((await collab.http.as(f.owner).delete(`/api/documents/trash/${id}`)).status).toBe(204);
    expect(await db.selectFrom('collab.documents').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    expect((await collab.http.as(f.owner).post(`/api/documents/${id}/restore`)).status).toBe(404);
  });

  it('pages the trash most recently deleted first', async () => {
    const ids: string[] = [];
    for (const title of ['one', 'two', 'three']) {
      const { id } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id, title });
      expect((await collab.http.as(f.owner).delete(`/api/documents/${id}`)).status).toBe(204);
      ids.push(id);
    }
    const first = await collab.http.as(f.owner).get<Page<TrashedDocument>>(`/api/documents/trash?projectId=${f.projectId}&limit=2`);
    expect(first.body.items.map((d) => d.title)).toEqual(['three', 'two']);
    const second = await collab.http
      .as(f.owner)
      .get<Page<TrashedDocument>>(`/api/documents/trash?projectId=${f.projectId}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0]?.title).toBe('one');
    expect((await collab.http.as(f.owner).get(`/api/documents/trash?projectId=${f.projectId}&cursor=garbage`)).status).toBe(400);
  });

  it('purges documents in the trash longer than the threshold, with their history, and keeps the newer ones', async () => {
    const { id: old } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Old draft' });
    const { id: recent } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Recent draft' });
    await db
      .insertInto('collab.document_updates')
      .values({ document_id: old, update: new Uint8Array([0, 0]) })
      .execute();
    for (const id of [old, recent]) expect((await collab.http.as(f.owner).delete(`/api/documents/${id}`)).status).toBe(204);
    await db
      .updateTable('collab.documents')
      .set({ deleted_at: new Date(Date.now() - 31 * DAY) })
      .where('id', '=', old)
      .execute();

    expect(await purgeExpiredTrash(collab.app.db, { trashDays: 30 })).toBeGreaterThanOrEqual(1);
    expect(await db.selectFrom('collab.documents').select('id').where('id', '=', old).executeTakeFirst()).toBeUndefined();
    expect(await db.selectFrom('collab.document_updates').select('id').where('document_id', '=', old).executeTakeFirst()).toBeUndefined();
    const trash = await trashOf(f.owner);
    expect(trash.body.items.map((d) => d.id)).toContain(recent);
    expect(trash.body.items.map((d) => d.id)).not.toContain(old);
  });

  it('schedules the purge job every COLLAB_TRASH_PURGE_EVERY_SECONDS in the deployment queue', async () => {
    const queues = createQueueFactory({ redisUrl: collab.config.redisUrl, prefix: collab.config.redisPrefix, log: collab.app.log });
    try {
      const queue = queues.createQueue(TRASH_QUEUE);
      const scheduler = await eventually(() => queue.getJobScheduler(PURGE_TRASH_JOB), { what: 'the purge scheduler' });
      expect(scheduler?.every).toBe(600_000);
    } finally {
      await queues.close();
    }
  });
});
