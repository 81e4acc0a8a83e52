import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createDatabase } from '@flux/server-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { eventually } from '../../../test/support/eventually.js';
import { startAuth, type AuthHarness } from '../../../test/support/auth.js';
import type { Database } from '../src/db/database.js';
import { compactDocument } from '../src/persistence/compaction.js';
import { countUpdates, loadState } from '../src/persistence/repository.js';
import { UpdateWriter } from '../src/persistence/update-writer.js';
import { Histogram } from 'prom-client';
import { createDocument } from './factories.js';
import { filePrefix, fixture, provider, startCollab, synced, type CollabServer, type Fixture } from './helpers.js';

/** Durability, compaction and several instances, on the real PostgreSQL and Redis. */
describe('collab persistence and scale-out', () => {
  let auth: AuthHarness;
  let prefix: string;
  let f: Fixture;
  const servers: CollabServer[] = [];
  const providers: WebsocketProvider[] = [];
  const { db } = createDatabase<Database>(process.env.DATABASE_URL!, 2);
  const start = async (env: Record<string, string> = {}) => {
    const server = await startCollab(auth, { REDIS_PREFIX: prefix, ...env });
    servers.push(server);
    return server;
  };
  const open = (server: CollabServer, documentId: string, doc?: Y.Doc) => {
    const p = provider(server.wsUrl, documentId, f.owner.accessToken, doc);
    providers.push(p);
    return synced(p);
  };
  const newDocument = async () => (await createDocument(db, { projectId: f.projectId, createdBy: f.owner.id })).id;
  /** The document as a fresh replica would rebuild it from PostgreSQL alone. */
  const stored = async (documentId: string) => {
    const doc = new Y.Doc();
    for (const update of (await loadState(db, documentId)).updates) Y.applyUpdate(doc, update);
    return doc;
  };

  beforeAll(async () => {
    prefix = filePrefix();
    auth = await startAuth({ REDIS_PREFIX: prefix });
    f = await fixture(auth, await start());
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await Promise.all(servers.map((s) => s.close()));
    await auth?.close();
    await db.destroy();
  });

  it('writes accepted updates to the log in batches, within the flush interval', async () => {
    const [server] = servers;
    const documentId = await newDocument();
    const flushes = async () =>
      Number(/^collab_flush_seconds_count\S* (\d+)/m.exec((await server!.app.inject({ url: '/metrics' })).body)?.[1] ?? 0);
    const p = await open(server!, documentId);
    const before = await flushes();
    for (let i = 0; i < 50; i++) p.doc.getText('content').insert(i, 'x');
    await eventually(async () => (await stored(documentId)).getText('content').length === 50, { what: 'updates durable' });
    expect(await countUpdates(db, documentId)).toBe(50);
    // Fifty keystrokes, far fewer INSERTs: they were appended in batches.
    expect((await flushes()) - before).toBeLessThan(10);
  });

  it("keeps writing other documents' updates when a document is deleted with edits pending", async () => {
    const [server] = servers;
    const kept = await newDocument();
    const gone = await newDocument();
    await db.deleteFrom('collab.documents').where('id', '=', gone).execute();
    const flushed: string[] = [];
    const writer = new UpdateWriter(db, server!.app.log, 60_000, new Histogram({ name: 'test_flush', help: 'test', registers: [] }));
    writer.onFlushed((batch) => flushed.push(...batch.keys()));
    const doc = new Y.Doc();
    doc.on('update', (update: Uint8Array) => {
      writer.enqueue(gone, f.projectId, update, f.owner.id);
      writer.enqueue(kept, f.projectId, update, f.owner.id);
    });
    doc.getText('content').insert(0, 'survivor');
    await writer.close();
    expect((await stored(kept)).getText('content').toString()).toBe('survivor');
    expect(writer.pendingCount).toBe(0);
    expect(flushed).toEqual([kept]);
  });

  it('flushes everything on close, so a restart loses nothing', async () => {
    const server = await start({ COLLAB_FLUSH_INTERVAL_MS: '900' });
    const documentId = await newDocument();
    const p = await open(server, documentId);
    p.doc.getText('content').insert(0, 'written just before shutdown');
    // Make sure the server applied it (a second client sees it) before closing.
    const q = await open(server, documentId);
    await eventually(() => q.doc.getText('content').length > 0, { what: 'second client sees it' });
    p.destroy();
    q.destroy();
    await server.close();
    expect((await stored(documentId)).getText('content').toString()).toBe('written just before shutdown');
  });

  it('compacts the log into a snapshot with identical content', async () => {
    const server = await start({ COLLAB_COMPACTION_THRESHOLD: '25' });
    const documentId = await newDocument();
    const p = await open(server, documentId);
    const text = p.doc.getText('content');
    for (let i = 0; i < 40; i++) text.insert(text.length, `line ${i}\n`);
    text.delete(0, 7);
    p.doc.getMap('meta').set('title', 'Compacted');
    await eventually(async () => (await stored(documentId)).getText('content').toString() === text.toString(), { what: 'all durable' });
    // The threshold queued a BullMQ job; wait for it, then fold the rest directly.
    await eventually(async () => (await countUpdates(db, documentId)) < 42, { what: 'background compaction ran', timeout: 15_000 });
    await compactDocument(db, documentId);
    expect(await countUpdates(db, documentId)).toBe(0);
    const rebuilt = await stored(documentId);
    expect(rebuilt.getText('content').toString()).toBe(text.toString());
    expect(rebuilt.getMap('meta').toJSON()).toEqual({ title: 'Compacted' });
    expect(Y.encodeStateVector(rebuilt)).toEqual(Y.encodeStateVector(p.doc));

    // A client that connects now loads the snapshot and sees the same document.
    p.destroy();
    await eventually(async () => (await server.http.get<{ activeRooms: number }>('/collab/health')).body.activeRooms === 0, {
      what: 'room unloaded',
    });
    const fresh = await open(server, documentId);
    expect(fresh.doc.getText('content').toString()).toBe(text.toString());
    // And compacting again with nothing new is a no-op.
    expect(await compactDocument(db, documentId)).toEqual({ folded: 0 });
  });

  it('relays updates and awareness between two instances holding the same room', async () => {
    // Instance one writes lazily, so two cannot find a's first edit in PostgreSQL: it must come over the relay.
    const one = await start({ COLLAB_FLUSH_INTERVAL_MS: '900' });
    const two = await start();
    const documentId = await newDocument();
    const a = await open(one, documentId);
    a.doc.getText('content').insert(0, 'before b joined ');
    await eventually(async () => (await one.http.get<{ activeRooms: number }>('/collab/health')).body.activeRooms === 1, {
      what: 'one applied it',
    });
    const witness = await open(one, documentId);
    await eventually(() => witness.doc.getText('content').length > 0, { what: 'one has the edit' });
    // Not yet in PostgreSQL, yet b's very first sync already holds it (two waited for one's answer).
    const b = await open(two, documentId);
    expect(b.doc.getText('content').toString()).toBe('before b joined ');
    b.doc.getText('content').insert(b.doc.getText('content').length, 'from b');
    a.doc.getMap('meta').set('from', 'a');
    await eventually(() => a.doc.getText('content').toString() === 'before b joined from b', { what: 'a sees b' });
    await eventually(() => b.doc.getMap('meta').get('from') === 'a', { what: 'b sees a' });
    b.awareness.setLocalStateField('user', { name: 'on instance two' });
    await eventually(() => [...a.awareness.getStates().values()].some((s) => s.user?.name === 'on instance two'), {
      what: 'awareness crosses instances',
    });
    // Each update is persisted once, by the instance that accepted it.
    await eventually(async () => (await stored(documentId)).getText('content').toString() === 'before b joined from b', {
      what: 'durable',
    });
    const rows = await countUpdates(db, documentId);
    const distinct = await db
      .selectFrom('collab.document_updates')
      .select((eb) =>
        eb.fn
          .count<string>(eb.fn('md5', ['update']))
          .distinct()
          .as('n'),
      )
      .where('document_id', '=', documentId)
      .executeTakeFirstOrThrow();
    expect(Number(distinct.n)).toBe(rows);
  });

  it('publishes nothing of a room no other instance holds, and relays its edits once one does', async () => {
    const [server] = servers;
    const documentId = await newDocument();
    const channel = `${prefix}collab:room:${documentId}`;
    // MONITOR sees every PUBLISH without subscribing (a subscriber would count as another instance).
    // redis-cli's, not ioredis's: ioredis loses the race between MONITOR's +OK and the first feed
    // line on a busy server ("Command queue state error").
    const monitor = spawn('redis-cli', ['-u', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'monitor']);
    let published = 0;
    let monitoring = false;
    createInterface({ input: monitor.stdout }).on('line', (line) => {
      if (line === 'OK') monitoring = true;
      if (line.toLowerCase().includes(`"publish" "${channel.toLowerCase()}"`)) published++;
    });
    await eventually(() => monitoring, { what: 'redis-cli monitoring' });
    try {
      const a = await open(server!, documentId);
      for (const word of ['alone ', 'and ', 'quiet ']) a.doc.getText('content').insert(a.doc.getText('content').length, word);
      await eventually(async () => (await stored(documentId)).getText('content').toString() === 'alone and quiet ', { what: 'persisted' });
      // Only the sync request the room sent when it loaded (nobody answered it).
      expect(published).toBe(1);
      const b = await open(await start(), documentId);
      a.doc.getText('content').insert(a.doc.getText('content').length, 'no more');
      await eventually(() => b.doc.getText('content').toString() === 'alone and quiet no more', { what: 'b sees a' });
      expect(published).toBeGreaterThan(3);
    } finally {
      monitor.kill();
    }
  });

  it("closes a deleted document's sockets on every instance", async () => {
    const [one, two] = [servers[0]!, await start()];
    const documentId = await newDocument();
    const here = await open(one, documentId);
    const there = await open(two, documentId);
    const closed = (p: WebsocketProvider) => new Promise<number>((resolve) => p.on('closed', (event) => resolve(event.code)));
    const [closedHere, closedThere] = [closed(here), closed(there)];
    expect((await one.http.as(f.owner).delete(`/api/documents/${documentId}`)).status).toBe(204);
    expect(await closedHere).toBe(4403);
    expect(await closedThere).toBe(4403);
  });
});
