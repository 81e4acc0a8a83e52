import { CollabCloseCodes } from '@flux/shared/constants';
import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type AuthHarness, startAuth, type TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { encodeUpdate, MessageType } from '../src/rooms/protocol.js';
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

/** Collab's limits (README "Limits"), each through real sockets or HTTP against small settings. */
describe('collab limits', () => {
  let auth: AuthHarness;
  let collab: CollabServer;
  let f: Fixture;
  const providers: WebsocketProvider[] = [];
  const sockets: WebSocket[] = [];
  const open = (server: CollabServer, documentId: string, token: string) => {
    const p = provider(server.wsUrl, documentId, token);
    providers.push(p);
    return p;
  };
  const newDocument = (server = collab) => createDocument(server.app.db, { projectId: f.projectId, createdBy: f.owner.id });

  async function openRaw(documentId: string, token: string, server = collab): Promise<WebSocket> {
    const ws = rawSocket(server.wsUrl, documentId, token);
    sockets.push(ws);
    // Admitted once the server greets it (its sync step 1): frames from then on reach the room itself.
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    return ws;
  }

  let prefix: string;
  beforeAll(async () => {
    prefix = filePrefix();
    auth = await startAuth({ REDIS_PREFIX: prefix });
    collab = await startCollab(auth, {
      REDIS_PREFIX: prefix,
      COLLAB_MAX_DOCUMENT_BYTES: '100000',
      COLLAB_MAX_PENDING_BYTES: '200000',
      COLLAB_MAX_AWARENESS_STATES_PER_ROOM: '3',
      COLLAB_SYNC_REQUEST_BURST: '5',
      COLLAB_MAX_CONNECTIONS_PER_USER: '6',
      COLLAB_MAX_VERSIONS_PER_DOCUMENT: '2',
      COLLAB_VERSION_CREATES_PER_MINUTE: '3',
      COLLAB_RESTORES_PER_MINUTE: '2',
      COLLAB_DOCUMENT_CREATES_PER_MINUTE: '2',
    });
    f = await fixture(auth, collab);
  });
  afterEach(() => {
    for (const p of providers.splice(0)) p.destroy();
    for (const ws of sockets.splice(0)) ws.terminate();
  });
  afterAll(async () => {
    await collab?.close();
    await auth?.close();
  });

  describe('updates', () => {
    it('keeps a small pending update and applies it once the struct it waited for arrives', async () => {
      const documentId = (await newDocument()).id;
      const [first, second] = writerUpdates(['hello ', 'world']);
      const writer = await openRaw(documentId, f.owner.accessToken);
      writer.send(encodeUpdate(second!));
      writer.send(encodeUpdate(first!));
      const reader = await synced(open(collab, documentId, f.owner.accessToken));
      await eventually(() => reader.doc.getText('content').toString() === 'hello world', { what: 'both parts applied' });
      expect(writer.readyState).toBe(writer.OPEN);
    });

    it('counts received bytes toward the document cap: pending updates past it close with 4413', async () => {
      const documentId = (await newDocument()).id;
      // Every update after the withheld first stays pending: nothing integrates, but the bytes arrive.
      const updates = writerUpdates(Array.from({ length: 12 }, () => 'x'.repeat(10_000))).slice(1);
      const writer = await openRaw(documentId, f.owner.accessToken);
      const closed = closeCode(writer);
      for (const update of updates) writer.send(encodeUpdate(update));
      expect(await closed).toBe(CollabCloseCodes.documentTooLarge);
    });
  });

  describe('awareness', () => {
    it('keeps a socket to its own ids: further ids are dropped and another user’s cursor is left alone', async () => {
      const documentId = (await newDocument()).id;
      const editor = await synced(open(collab, documentId, f.owner.accessToken));
      editor.awareness.setLocalStateField('user', { name: 'Ada' });
      const room = () => collab.app.rooms.rooms.get(documentId);
      await eventually(() => room()?.awareness.getStates().size === 1, { what: 'editor cursor' });

      const guest = await guestOf(f);
      const attacker = await openRaw(documentId, guest.accessToken);
      for (let id = 500; id < 520; id++) attacker.send(awarenessFrame([{ id, clock: 1, state: { user: { name: `ghost-${id}` } } }]));
      attacker.send(awarenessFrame([{ id: editor.doc.clientID, clock: 99, state: { user: { name: 'Mallory' } } }]));
      await answered(attacker);

      // The guest's first id is its own, a second is allowed (a reconnect's overlap), the rest are dropped.
      expect([...(room()?.awareness.getStates().keys() ?? [])].sort()).toEqual([500, 501, editor.doc.clientID].sort());
      expect(room()?.awareness.getStates().get(editor.doc.clientID)).toEqual({ user: { name: 'Ada' } });
      expect(attacker.readyState).toBe(attacker.OPEN);
    });

    it('holds at most COLLAB_MAX_AWARENESS_STATES_PER_ROOM cursors in a room', async () => {
      const documentId = (await newDocument()).id;
      const writer = await memberOf(f);
      const clients = [];
      for (let i = 0; i < 4; i++) {
        const p = await synced(open(collab, documentId, writer.accessToken));
        p.awareness.setLocalStateField('user', { name: `writer ${i}` });
        clients.push(p);
      }
      const room = () => collab.app.rooms.rooms.get(documentId);
      await eventually(() => room()?.awareness.getStates().size === 3, { what: 'three cursors' });
      await answered(await openRaw(documentId, writer.accessToken));
      expect(room()?.awareness.getStates().size).toBe(3);
    });

    it('closes with 4431 an awareness state above COLLAB_MAX_AWARENESS_STATE_BYTES', async () => {
      const documentId = (await newDocument()).id;
      const ws = await openRaw(documentId, f.owner.accessToken);
      const closed = closeCode(ws);
      ws.send(awarenessFrame([{ id: 7, clock: 1, state: { user: { name: 'x'.repeat(5000) } } }]));
      expect(await closed).toBe(CollabCloseCodes.awarenessTooLarge);
      expect(collab.app.rooms.rooms.get(documentId)?.awareness.getStates().size ?? 0).toBe(0);
    });
  });

  it.each([
    ['sync step 1', () => syncStep1()],
    ['query-awareness', () => Uint8Array.of(MessageType.queryAwareness)],
  ])('closes with 4529 a socket asking for %s past its burst', async (_name, frame) => {
    const documentId = (await newDocument()).id;
    const ws = await openRaw(documentId, f.owner.accessToken);
    const closed = closeCode(ws);
    for (let i = 0; i < 20; i++) ws.send(frame());
    expect(await closed).toBe(CollabCloseCodes.rateLimited);
  });

  it('closes with 4429 a user past COLLAB_MAX_CONNECTIONS_PER_USER, and admits them again once one closes', async () => {
    const member = await memberOf(f);
    const documentId = (await newDocument()).id;
    const held = [];
    for (let i = 0; i < 6; i++) held.push(await synced(open(collab, documentId, member.accessToken)));
    expect(await closeCode(rawSocket(collab.wsUrl, documentId, member.accessToken))).toBe(CollabCloseCodes.tooManyConnections);
    // Another user is not affected.
    await synced(open(collab, documentId, f.owner.accessToken));

    held[0]?.destroy();
    await eventually(() => collab.app.rooms.rooms.get(documentId)?.connections.size === 6, { what: 'closed socket gone' });
    await synced(open(collab, documentId, member.accessToken));
  });

  describe('versions and creation', () => {
    it('answers 409 past COLLAB_MAX_VERSIONS_PER_DOCUMENT versions', async () => {
      const documentId = (await newDocument()).id;
      const http = collab.http.as(f.owner);
      expect((await http.post(`/api/documents/${documentId}/versions`, { name: 'one' })).status).toBe(201);
      expect((await http.post(`/api/documents/${documentId}/versions`, { name: 'two' })).status).toBe(201);
      const third = await http.post<{ error: { code: string; details: unknown } }>(`/api/documents/${documentId}/versions`, {
        name: 'three',
      });
      expect(third.status).toBe(409);
      expect(third.body.error).toMatchObject({ code: 'conflict', details: { maxVersions: 2 } });
      expect((await http.get<{ items: unknown[] }>(`/api/documents/${documentId}/versions`)).body.items).toHaveLength(2);
    });

    it('answers 429 with Retry-After past COLLAB_VERSION_CREATES_PER_MINUTE', async () => {
      const http = collab.http.as(await memberOf(f));
      const documents = [(await newDocument()).id, (await newDocument()).id];
      for (const name of ['a', 'b']) expect((await http.post(`/api/documents/${documents[0]}/versions`, { name })).status).toBe(201);
      expect((await http.post(`/api/documents/${documents[1]}/versions`, { name: 'c' })).status).toBe(201);
      expectRateLimited(await http.post(`/api/documents/${documents[1]}/versions`, { name: 'd' }));
    });

    it('answers 429 with Retry-After past COLLAB_RESTORES_PER_MINUTE restores of one document', async () => {
      const documentId = (await newDocument()).id;
      const http = collab.http.as(await memberOf(f));
      const version = await http.post<{ id: string }>(`/api/documents/${documentId}/versions`, { name: 'base' });
      const restore = () => http.post(`/api/documents/${documentId}/versions/${version.body.id}/restore`);
      expect((await restore()).status).toBe(200);
      expect((await restore()).status).toBe(200);
      expectRateLimited(await restore());
    });

    it('answers 429 with Retry-After past COLLAB_DOCUMENT_CREATES_PER_MINUTE', async () => {
      const http = collab.http.as(await memberOf(f));
      for (const title of ['a', 'b']) expect((await http.post('/api/documents', { projectId: f.projectId, title })).status).toBe(201);
      expectRateLimited(await http.post('/api/documents', { projectId: f.projectId, title: 'c' }));
    });
  });

  describe('loaded rooms', () => {
    let small: CollabServer;
    beforeAll(async () => {
      small = await startCollab(auth, { REDIS_PREFIX: prefix, COLLAB_MAX_ROOMS: '2', COLLAB_ROOM_UNLOAD_DELAY_MS: '60000' });
    });
    afterAll(() => small?.close());
    const room = (documentId: string) => small.app.rooms.rooms.get(documentId);
    const close = async (p: WebsocketProvider, documentId: string) => {
      p.destroy();
      await eventually(() => room(documentId)?.holders === 0, { what: 'room idle' });
    };

    it('unloads the least recently used idle room, after its edits are flushed, to load one more', async () => {
      const [a, b, c] = [await newDocument(small), await newDocument(small), await newDocument(small)];
      const pa = await synced(open(small, a.id, f.owner.accessToken));
      pa.doc.getText('content').insert(0, 'kept in a');
      await eventually(() => room(a.id)?.doc.getText('content').toString() === 'kept in a', { what: 'a applied' });
      await close(pa, a.id);
      const pb = await synced(open(small, b.id, f.owner.accessToken));
      const pc = await synced(open(small, c.id, f.owner.accessToken));
      expect([...small.app.rooms.rooms.keys()].sort()).toEqual([b.id, c.id].sort());

      // a comes back from PostgreSQL with its text; b, idle for longer than c, makes way.
      await close(pb, b.id);
      await close(pc, c.id);
      const again = await synced(open(small, a.id, f.owner.accessToken));
      expect(again.doc.getText('content').toString()).toBe('kept in a');
      expect([...small.app.rooms.rooms.keys()].sort()).toEqual([a.id, c.id].sort());
    });

    it('with every room held, refuses a new one (1011, the client retries) and leaves the held rooms alone', async () => {
      const [d, e, g] = [await newDocument(small), await newDocument(small), await newDocument(small)];
      await synced(open(small, d.id, f.owner.accessToken));
      await synced(open(small, e.id, f.owner.accessToken));
      expect(await closeCode(rawSocket(small.wsUrl, g.id, f.owner.accessToken))).toBe(CollabCloseCodes.internalError);
      expect([...small.app.rooms.rooms.keys()].sort()).toEqual([d.id, e.id].sort());
      expect((await small.http.as(f.owner).post(`/api/documents/${g.id}/versions`, { name: 'v' })).status).toBe(503);
    });
  });

  async function memberOf(fx: Fixture): Promise<TestUser> {
    const member = await people(auth).user();
    await people(auth).member(fx.organizationId, member, 'member');
    return member;
  }

  async function guestOf(fx: Fixture): Promise<TestUser> {
    const guest = await people(auth).user();
    await people(auth).member(fx.organizationId, guest, 'guest');
    return guest;
  }
});

function expectRateLimited(answer: { status: number; headers: Headers; body: unknown }): void {
  expect(answer.status).toBe(429);
  expect(answer.body).toMatchObject({ error: { code: 'rate_limited' } });
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
}

/** One writer's successive updates, each appending one piece of text (each depends on the one before). */
function writerUpdates(pieces: string[]): Uint8Array[] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const text = doc.getText('content');
  for (const piece of pieces) text.insert(text.length, piece);
  return updates;
}

function awarenessFrame(entries: Array<{ id: number; clock: number; state: unknown }>): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const { id, clock, state } of entries) {
    encoding.writeVarUint(update, id);
    encoding.writeVarUint(update, clock);
    encoding.writeVarString(update, JSON.stringify(state));
  }
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, MessageType.awareness);
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update));
  return encoding.toUint8Array(frame);
}

function syncStep1(): Uint8Array {
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, MessageType.sync);
  encoding.writeVarUint(frame, 0);
  encoding.writeVarUint8Array(frame, Y.encodeStateVector(new Y.Doc()));
  return encoding.toUint8Array(frame);
}

/** Resolves once the server has handled every frame sent before (it answers a sync step 1 in order). */
function answered(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      if (data[0] === MessageType.sync && data[1] === 1) {
        ws.off('message', onMessage);
        resolve();
      }
    };
    ws.on('message', onMessage);
    ws.send(syncStep1());
  });
}
