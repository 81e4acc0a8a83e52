import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CollabCloseCodes } from '@flux/shared/constants';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type AuthHarness, startAuth, type TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { encodeSyncStep1, encodeUpdate, MessageType } from '../src/rooms/protocol.js';
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

/**
 * The two collab attacks of the security issue, replayed through real sockets: a writer's updates
 * whose first struct is withheld, and a read-only guest's awareness flood. Each run prints what it
 * cost (RSS growth of this process, the worst event-loop delay, bytes an honest client received),
 * so the figures before and after the fix come from the same code.
 */
describe('collab attacks', () => {
  let auth: AuthHarness;
  let collab: CollabServer;
  let f: Fixture;
  const providers: WebsocketProvider[] = [];
  const open = (documentId: string, token: string) => {
    const p = provider(collab.wsUrl, documentId, token);
    providers.push(p);
    return p;
  };

  beforeAll(async () => {
    const prefix = filePrefix();
    auth = await startAuth({ REDIS_PREFIX: prefix });
    collab = await startCollab(auth, { REDIS_PREFIX: prefix });
    f = await fixture(auth, collab);
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await collab?.close();
    await auth?.close();
  });

  it('pending structs: updates whose first struct is withheld close the writer with 4422 and reach no other client', async () => {
    const { id: documentId } = await newDocument();
    const frames = withheldFirstUpdate(150, 20_000);
    const cost = await measure(async () => {
      const attacker = await openRaw(documentId, f.owner.accessToken);
      const closed = closeCode(attacker);
      for (const frame of frames) await send(attacker, frame);
      return { code: await Promise.race([closed, answered(attacker)]) };
    });
    const honest = await bytesToSync(documentId, f.owner);
    report('pending structs', { ...cost, honestBytes: honest.bytes, sentMB: mb(frames.reduce((n, x) => n + x.length, 0)) });

    expect(cost.result.code).toBe(CollabCloseCodes.incompleteUpdate);
    expect(collab.app.rooms.rooms.get(documentId)?.doc.store.pendingStructs ?? null).toBeNull();
    expect(honest.text).toBe('');
    expect(honest.bytes).toBeLessThan(64 * 1024);
  });

  it('awareness flood: a guest announcing thousands of client ids is closed with 4431 and editors hear at most its own cursor', async () => {
    const { id: documentId } = await newDocument();
    const guest = await people(auth).user();
    await people(auth).member(f.organizationId, guest, 'guest');
    const editors = [await synced(open(documentId, f.owner.accessToken)), await synced(open(documentId, f.owner.accessToken))];
    editors[0]?.awareness.setLocalStateField('user', { name: 'Ada' });
    editors[1]?.awareness.setLocalStateField('user', { name: 'Grace' });
    await eventually(() => editors.every((e) => e.awareness.getStates().size === 2), { what: 'editors see each other' });
    const received = countBytes(editors[0]);

    const frames = Array.from({ length: 40 }, (_, i) => awarenessFrame(1_000_000 + i * 2500, 2500));
    const cost = await measure(async () => {
      const attacker = await openRaw(documentId, guest.accessToken);
      const closed = closeCode(attacker);
      for (const frame of frames) await send(attacker, frame);
      return { code: await Promise.race([closed, answered(attacker)]) };
    });
    const started = performance.now();
    await collab.http.get('/collab/health');
    const healthMs = Math.round(performance.now() - started);
    report('awareness flood', { ...cost, honestBytes: received(), healthMs });

    expect(cost.result.code).toBe(CollabCloseCodes.awarenessTooLarge);
    expect(collab.app.rooms.rooms.get(documentId)?.awareness.getStates().size).toBeLessThanOrEqual(2);
    expect(received()).toBeLessThan(64 * 1024);
  });

  const newDocument = () => createDocument(collab.app.db, { projectId: f.projectId, createdBy: f.owner.id });

  async function openRaw(documentId: string, token: string): Promise<WebSocket> {
    const ws = rawSocket(collab.wsUrl, documentId, token);
    // Admitted once the server greets it (its sync step 1): frames from then on reach the room itself.
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    return ws;
  }

  /** What a new stock client downloads to sync the document, and the text it ends up with. */
  async function bytesToSync(documentId: string, user: TestUser): Promise<{ bytes: number; text: string }> {
    const p = open(documentId, user.accessToken);
    const bytes = countBytes(p);
    await synced(p);
    return { bytes: bytes(), text: p.doc.getText('content').toString() };
  }
});

/** The writer's updates after its first: every later struct depends on the withheld one, so a server keeps them all pending. */
function withheldFirstUpdate(count: number, bytesEach: number): Uint8Array[] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const text = doc.getText('content');
  text.insert(0, 'a');
  for (let i = 0; i < count; i++) text.insert(text.length, 'x'.repeat(bytesEach));
  return updates.slice(1).map(encodeUpdate);
}

/** One awareness message announcing `count` client ids from `firstId` on. */
function awarenessFrame(firstId: number, count: number): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, count);
  for (let id = firstId; id < firstId + count; id++) {
    encoding.writeVarUint(update, id);
    encoding.writeVarUint(update, 1);
    encoding.writeVarString(update, JSON.stringify({ user: { name: `ghost-${id}`, color: '#ff0000' } }));
  }
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, MessageType.awareness);
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update));
  return encoding.toUint8Array(frame);
}

const send = (ws: WebSocket, frame: Uint8Array) =>
  new Promise<void>((resolve) => {
    if (ws.readyState !== ws.OPEN) return resolve();
    ws.send(frame, () => resolve());
  });

/**
 * Resolves (undefined) once the server has handled everything sent before: it answers a sync
 * step 1 in order. Never resolves if the server closed the socket first (race it with the close).
 */
function answered(ws: WebSocket): Promise<undefined> {
  return new Promise((resolve) => {
    ws.on('message', (data: Buffer) => {
      // sync (0) step 2 (1): the answer to our step 1.
      if (data[0] === MessageType.sync && data[1] === 1) {
        ws.close();
        resolve(undefined);
      }
    });
    if (ws.readyState === ws.OPEN) ws.send(encodeSyncStep1(new Y.Doc()));
  });
}

function countBytes(p: WebsocketProvider | undefined): () => number {
  let bytes = 0;
  p?.ws?.addEventListener('message', (event: { data: ArrayBuffer }) => {
    bytes += event.data.byteLength;
  });
  return () => bytes;
}

/** RSS growth of this process and the worst event-loop stall while `attack` runs. */
async function measure<T>(attack: () => Promise<T>): Promise<{ result: T; rssGrowthMB: number; maxEventLoopDelayMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const rss = process.memoryUsage().rss;
  delay.enable();
  const result = await attack();
  delay.disable();
  return { result, rssGrowthMB: mb(process.memoryUsage().rss - rss), maxEventLoopDelayMs: Math.round(delay.max / 1e6) };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function report(attack: string, figures: Record<string, unknown>): void {
  console.log(`[attack] ${attack}: ${JSON.stringify(figures)}`);
}
