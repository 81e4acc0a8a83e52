import { randomUUID } from 'node:crypto';
import { CollabCloseCodes } from '@flux/shared/constants';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { eventually } from '../../../test/support/eventually.js';
import { startAuth, type AuthHarness } from '../../../test/support/auth.js';
import {
  closeCode,
  filePrefix,
  fixture,
  people,
  provider,
  rawSocket,
  startCollab,
  synced,
  type CollabServer,
  type Fixture,
} from './helpers.js';
import { createDocument } from './factories.js';

/** The y-websocket endpoint with the real auth app, PostgreSQL and Redis, and the stock client. */
describe('collab socket', () => {
  let auth: AuthHarness;
  let collab: CollabServer;
  let f: Fixture;
  const providers: WebsocketProvider[] = [];
  const open = (documentId: string, token: string, doc?: Y.Doc) => {
    const p = provider(collab.wsUrl, documentId, token, doc);
    providers.push(p);
    return p;
  };

  beforeAll(async () => {
    const prefix = filePrefix();
    auth = await startAuth({ REDIS_PREFIX: prefix });
    collab = await startCollab(auth, {
      REDIS_PREFIX: prefix,
      COLLAB_MAX_MESSAGE_BYTES: '65536',
      COLLAB_UPDATES_PER_SECOND: '5',
      COLLAB_UPDATE_BURST: '20',
      COLLAB_MAX_DOCUMENT_BYTES: '150000',
      COLLAB_PING_INTERVAL_MS: '200',
    });
    f = await fixture(auth, collab);
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await collab?.close();
    await auth?.close();
  });

  it('syncs two stock providers, both ways, with awareness', async () => {
    const a = await synced(open(f.documentId, f.owner.accessToken));
    const b = await synced(open(f.documentId, f.owner.accessToken));
    a.doc.getText('content').insert(0, 'hello from a');
    await eventually(() => b.doc.getText('content').toString() === 'hello from a', { what: 'b sees a' });
    b.doc.getMap('meta').set('status', 'draft');
    await eventually(() => a.doc.getMap('meta').get('status') === 'draft', { what: 'a sees b' });

    a.awareness.setLocalStateField('user', { name: 'Ada' });
    await eventually(() => [...b.awareness.getStates().values()].some((s) => s.user?.name === 'Ada'), { what: 'b sees a cursor' });

    const health = await collab.http.get<{ connections: number; activeRooms: number }>('/collab/health');
    expect(health.body.connections).toBeGreaterThanOrEqual(2);
    expect(health.body.activeRooms).toBeGreaterThanOrEqual(1);
  });

  it('echoes awareness to its sender, which keeps idle clients alive', async () => {
    const a = await synced(open(f.documentId, f.owner.accessToken));
    let echoed = false;
    a.ws!.addEventListener('message', (event: { data: ArrayBuffer }) => {
      if (new Uint8Array(event.data)[0] === 1) echoed = true;
    });
    a.awareness.setLocalStateField('cursor', 3);
    await eventually(() => echoed, { what: 'awareness echo' });
  });

  it("does not let a socket rewrite or remove another user's awareness", async () => {
    const member = await people(auth).user();
    await people(auth).member(f.organizationId, member, 'member');
    const a = await synced(open(f.documentId, f.owner.accessToken));
    a.awareness.setLocalStateField('user', { name: 'Owner' });
    const b = await synced(open(f.documentId, member.accessToken));
    await eventually(() => b.awareness.getStates().get(a.doc.clientID)?.user?.name === 'Owner', { what: 'b sees owner' });
    // b forges a removal of a's cursor (state null) with a higher clock.
    const { encodeAwarenessUpdate, Awareness } = await import('y-protocols/awareness');
    const forged = new Awareness(new Y.Doc({ gc: true }));
    forged.clientID = a.doc.clientID;
    forged.states.set(a.doc.clientID, { user: { name: 'Forged' } });
    forged.meta.set(a.doc.clientID, { clock: 1000, lastUpdated: Date.now() });
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, 1);
    encoding.writeVarUint8Array(frame, encodeAwarenessUpdate(forged, [a.doc.clientID]));
    b.ws!.send(encoding.toUint8Array(frame));
    forged.destroy();
    // A later genuine change from b arrives; the forged one before it never did.
    b.awareness.setLocalStateField('user', { name: 'Member' });
    const c = await synced(open(f.documentId, f.owner.accessToken));
    await eventually(() => [...c.awareness.getStates().values()].some((s) => s.user?.name === 'Member'), { what: 'c sees member' });
    expect(c.awareness.getStates().get(a.doc.clientID)?.user?.name).toBe('Owner');
    const metrics = (await collab.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/collab_messages_refused_total\{reason="foreign_awareness"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/collab_rooms\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/collab_connections\{[^}]*\} [1-9]/);
  });

  it('answers query-awareness with the states of the room', async () => {
    const a = await synced(open(f.documentId, f.owner.accessToken));
    a.awareness.setLocalStateField('user', { name: 'Grace' });
    const ws = rawSocket(collab.wsUrl, f.documentId, f.owner.accessToken);
    const states = new Promise<boolean>((resolve) =>
      ws.on('message', (data: Buffer) => data[0] === 1 && data.includes(Buffer.from('Grace')) && resolve(true)),
    );
    await new Promise((r) => ws.once('open', r));
    ws.send(Uint8Array.of(3));
    expect(await states).toBe(true);
    ws.close();
  });

  it('closes 4401 for a missing or bad token', async () => {
    expect(await closeCode(rawSocket(collab.wsUrl, f.documentId))).toBe(4401);
    expect(await closeCode(rawSocket(collab.wsUrl, f.documentId, 'not-a-jwt'))).toBe(4401);
    expect(await closeCode(rawSocket(collab.wsUrl, f.documentId, `${f.owner.accessToken}x`))).toBe(4401);
  });

  it("closes 1011 (retry), not 4401, when auth's keys cannot be fetched", async () => {
    const orphan = await startCollab({ ...auth, url: 'http://127.0.0.1:1' } as AuthHarness, { REDIS_PREFIX: collab.config.redisPrefix });
    try {
      expect(await closeCode(rawSocket(orphan.wsUrl, f.documentId, f.owner.accessToken))).toBe(CollabCloseCodes.internalError);
      const rest = await orphan.http.as(f.owner).get<{ error: { code: string } }>(`/api/documents/${f.documentId}`);
      expect(rest.status).toBe(503);
      expect(rest.body.error.code).toBe('service_unavailable');
    } finally {
      await orphan.close();
    }
  });

  it('closes 4403 for a non-member, an unknown document and a malformed id', async () => {
    const stranger = await people(auth).user();
    expect(await closeCode(rawSocket(collab.wsUrl, f.documentId, stranger.accessToken))).toBe(4403);
    expect(await closeCode(rawSocket(collab.wsUrl, randomUUID(), f.owner.accessToken))).toBe(4403);
    expect(await closeCode(rawSocket(collab.wsUrl, 'not%20a%20uuid', f.owner.accessToken))).toBe(4403);
  });

  it('the stock client stops reconnecting after 4403', async () => {
    const stranger = await people(auth).user();
    const p = open(f.documentId, stranger.accessToken);
    const closed = await new Promise<{ code: number }>((resolve) => p.on('closed', (event) => resolve(event)));
    expect(closed.code).toBe(4403);
    expect(p.shouldConnect).toBe(false);
  });

  it('lets guests read but refuses their updates', async () => {
    const { id: docId } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Guest test' });
    const guest = await people(auth).user();
    await people(auth).member(f.organizationId, guest, 'guest');
    const member = await synced(open(docId, f.owner.accessToken));
    const viewer = await synced(open(docId, guest.accessToken));
    member.doc.getText('content').insert(0, 'by member');
    await eventually(() => viewer.doc.getText('content').toString() === 'by member', { what: 'guest receives' });

    viewer.doc.getText('content').insert(0, 'GUEST ');
    // A marker after the guest's edit: once the member sees it, the guest's edit would have arrived too.
    member.doc.getText('content').insert(member.doc.getText('content').length, '!');
    await eventually(() => viewer.doc.getText('content').toString().endsWith('!'), { what: 'guest receives marker' });
    const fresh = await synced(open(docId, f.owner.accessToken));
    expect(fresh.doc.getText('content').toString()).toBe('by member!');
    expect(member.doc.getText('content').toString()).toBe('by member!');
  });

  it('applies membership changes to open connections at once', async () => {
    const { id: docId } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Membership' });
    const writer = await people(auth).user();
    await people(auth).member(f.organizationId, writer, 'member');
    const owner = await synced(open(docId, f.owner.accessToken));
    const editor = await synced(open(docId, writer.accessToken));
    editor.doc.getText('content').insert(0, 'a');
    await eventually(() => owner.doc.getText('content').toString() === 'a', { what: 'owner sees member edit' });

    await auth.setRole(f.owner, f.organizationId, writer, 'guest');
    // Downgraded: the same connection stays open but its edits are refused from now on. The change
    // arrives through auth's outbox a moment after the answer, so each try writes its own mark.
    let attempt = 0;
    await eventually(
      async () => {
        const mark = `x${attempt++}|`;
        editor.doc.getText('content').insert(0, mark);
        owner.doc.getText('content').insert(owner.doc.getText('content').length, '.');
        await eventually(() => editor.doc.getText('content').toString().endsWith('.'), { what: 'marker' });
        const fresh = new Y.Doc();
        const check = await synced(open(docId, f.owner.accessToken, fresh));
        const text = fresh.getText('content').toString();
        check.destroy();
        return !text.includes(mark);
      },
      { what: 'downgrade applied' },
    );
    const before = owner.doc.getText('content').toString();
    editor.doc.getText('content').insert(0, 'refused');
    owner.doc.getText('content').insert(owner.doc.getText('content').length, '#');
    await eventually(() => editor.doc.getText('content').toString().endsWith('#'), { what: 'marker 2' });
    expect(owner.doc.getText('content').toString()).toBe(`${before}#`);

    const closed = new Promise<{ code: number }>((resolve) => editor.on('closed', (event) => resolve(event)));
    await auth.removeMember(f.owner, f.organizationId, writer);
    expect((await closed).code).toBe(4403);
  });

  it('closes only the offending connection on malformed or oversized frames and too many updates', async () => {
    const keeper = await synced(open(f.documentId, f.owner.accessToken));
    const send = async (frame: Uint8Array | Buffer) => {
      const ws = rawSocket(collab.wsUrl, f.documentId, f.owner.accessToken);
      await new Promise((r) => ws.once('open', r));
      const code = closeCode(ws);
      ws.send(frame);
      return code;
    };
    expect(await send(Uint8Array.of(9, 9, 9))).toBe(CollabCloseCodes.malformedMessage);
    expect(await send(Uint8Array.of(0, 2, 200, 1, 1))).toBe(CollabCloseCodes.malformedMessage);
    const badUpdate = encoding.createEncoder();
    encoding.writeVarUint(badUpdate, 0);
    encoding.writeVarUint(badUpdate, 2);
    encoding.writeVarUint8Array(badUpdate, Uint8Array.of(5, 200, 200, 200, 200, 1, 2));
    expect(await send(encoding.toUint8Array(badUpdate))).toBe(CollabCloseCodes.malformedMessage);
    expect(await send(Uint8Array.of(1, 1, 1, 1, 1, 0xff))).toBe(CollabCloseCodes.malformedMessage);
    expect(await send(Buffer.alloc(70_000, 1))).toBe(CollabCloseCodes.messageTooBig);

    // Update flood: one client sending far more than its rate.
    const ws = rawSocket(collab.wsUrl, f.documentId, f.owner.accessToken);
    await new Promise((r) => ws.once('open', r));
    const flooded = closeCode(ws);
    const doc = new Y.Doc();
    doc.on('update', (update: Uint8Array) => {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 2);
      encoding.writeVarUint8Array(e, update);
      if (ws.readyState === WebSocket.OPEN) ws.send(encoding.toUint8Array(e));
    });
    for (let i = 0; i < 100; i++) doc.getText('flood').insert(0, 'x');
    expect(await flooded).toBe(CollabCloseCodes.rateLimited);

    // The room and the well-behaved client are unaffected.
    keeper.doc.getText('after').insert(0, 'still fine');
    const other = await synced(open(f.documentId, f.owner.accessToken));
    await eventually(() => other.doc.getText('after').toString() === 'still fine', { what: 'room still works' });
    expect(keeper.wsconnected).toBe(true);
  });

  it('refuses to grow a document past the size limit, closing only the writer', async () => {
    const { id: docId } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Big' });
    const reader = await synced(open(docId, f.owner.accessToken));
    const writer = await synced(open(docId, f.owner.accessToken));
    const closed = new Promise<{ code: number }>((resolve) => writer.on('closed', (event) => resolve(event)));
    const text = writer.doc.getText('content');
    for (let i = 0; i < 4; i++) text.insert(text.length, 'x'.repeat(50_000));
    expect((await closed).code).toBe(CollabCloseCodes.documentTooLarge);
    // What fit stays; the reader keeps its connection.
    await eventually(() => reader.doc.getText('content').length >= 100_000, { what: 'reader got the accepted part' });
    expect(reader.doc.getText('content').length).toBeLessThan(200_000);
    expect(reader.wsconnected).toBe(true);
  });

  it('drops a peer that stops answering pings, and keeps those that answer', async () => {
    const alive = await synced(open(f.documentId, f.owner.accessToken));
    const silent = new WebSocket(`${collab.wsUrl}/${f.documentId}?token=${f.owner.accessToken}`, { autoPong: false });
    const closed = closeCode(silent);
    expect(await closed).toBe(1006); // terminated, no close frame
    expect(alive.wsconnected).toBe(true);
  });

  it('unloads an empty room shortly after the last client leaves', async () => {
    const { id: docId } = await createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id, title: 'Unload' });
    const p = await synced(provider(collab.wsUrl, docId, f.owner.accessToken));
    p.doc.getText('content').insert(0, 'kept');
    const rooms = () => collab.http.get<{ activeRooms: number }>('/collab/health').then((r) => r.body.activeRooms);
    const loaded = await rooms();
    p.destroy();
    await eventually(async () => (await rooms()) === loaded - 1, { what: 'room unloaded' });
    const again = await synced(open(docId, f.owner.accessToken));
    expect(again.doc.getText('content').toString()).toBe('kept');
  });
});
