import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { BenchContext } from './run.js';
import { sleep, summarize, table, type Row } from './lib/stats.js';

/**
 * Yjs update propagation: one writer, everyone else on the same document, time from the
 * writer's change to each other client applying it (all clients in this process, loopback only).
 * Baseline: @hocuspocus/server 4 (no extensions, so no persistence) in its own process, beside
 * our collab service direct and through nginx (which also persists every update to PostgreSQL).
 * Then the memory a loaded room costs the collab process.
 */

interface Peer {
  doc: Y.Doc;
  ready: Promise<void>;
  close(): void;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const within = <T>(ms: number, what: string, promise: Promise<T>) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref()),
  ]);

function yWebsocketPeer(serverUrl: string, documentId: string, token: string): Peer {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(serverUrl, documentId, doc, {
    WebSocketPolyfill: WebSocket as never,
    disableBc: true,
    params: { token },
  });
  const ready = new Promise<void>((resolve) => (provider.synced ? resolve() : provider.once('sync', () => resolve())));
  return { doc, ready, close: () => provider.destroy() };
}

// The few lib0 varint helpers the Hocuspocus client needs (bench does not depend on lib0).
const varUint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const bytes = (b: Uint8Array): Uint8Array => Uint8Array.from([...varUint(b.length), ...b]);
const str = (s: string): Uint8Array => bytes(new TextEncoder().encode(s));
class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  uint(): number {
    let n = 0;
    let mult = 1;
    for (;;) {
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * mult;
      if (b < 0x80) return n;
      mult *= 128;
    }
  }
  bytes(): Uint8Array {
    const len = this.uint();
    this.pos += len;
    return this.buf.subarray(this.pos - len, this.pos);
  }
}

/** The smallest client of Hocuspocus's protocol (document name before every message, a token first); the stock y-websocket client does not speak it. */
function hocuspocusPeer(url: string, documentName: string): Peer {
  const doc = new Y.Doc();
  const ws = new WebSocket(url);
  const name = str(documentName);
  const send = (...parts: Array<Uint8Array | number[]>) => ws.send(Buffer.concat([name, ...parts.map((p) => Uint8Array.from(p))]));
  let synced!: () => void;
  const ready = new Promise<void>((resolve) => (synced = resolve));
  ws.on('open', () => {
    send([2, 0], str('bench')); // auth: token
    send([0, 0], bytes(Y.encodeStateVector(doc))); // sync step 1
  });
  ws.on('message', (data: Buffer) => {
    const r = new Reader(new Uint8Array(data));
    r.bytes(); // document name
    const type = r.uint();
    if (type !== 0 && type !== 4) return;
    const step = r.uint();
    const payload = r.bytes();
    if (step === 0) send([0, 1], bytes(Y.encodeStateAsUpdate(doc, payload)));
    else Y.applyUpdate(doc, payload, ws);
    if (step === 1) synced();
  });
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === ws || ws.readyState !== WebSocket.OPEN) return;
    send([0, 2], bytes(update));
  });
  return { doc, ready, close: () => ws.close() };
}

/** Writer sets a counter; each other peer records when it sees the value. Returns per-receiver latencies (ms). */
async function propagation(peers: Peer[], rounds: number, warmup = 20): Promise<number[]> {
  await within(30_000, 'peers sync', Promise.all(peers.map((p) => p.ready)));
  const [writer, ...receivers] = peers;
  const samples: number[] = [];
  for (let round = 1; round <= rounds + warmup; round++) {
    const t0 = performance.now();
    const seen = receivers.map(
      (peer) =>
        new Promise<void>((resolve) => {
          const map = peer.doc.getMap('bench');
          const check = () => {
            if (map.get('seq') !== round) return;
            map.unobserve(check);
            if (round > warmup) samples.push(performance.now() - t0);
            resolve();
          };
          map.observe(check);
        }),
    );
    writer!.doc.getMap('bench').set('seq', round);
    await within(10_000, `round ${round}`, Promise.all(seen));
  }
  return samples;
}

async function startHocuspocus(): Promise<{ url: string; child: ChildProcess }> {
  const code = `import { Server } from '@hocuspocus/server';
const server = new Server({ port: 0, address: '127.0.0.1', quiet: true });
await server.listen();
process.stdout.write(server.address.port + '\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await within(
    15_000,
    'hocuspocus start',
    new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      child.once('exit', (c) => reject(new Error(`hocuspocus exited with ${c}`)));
    }),
  );
  return { url: `ws://127.0.0.1:${port}`, child };
}

async function json<T>(url: string, method: string, token: string | undefined, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export default async function collab({ stack }: BenchContext): Promise<void> {
  // Every y-websocket provider adds a process 'exit' listener; hundreds are expected here.
  process.setMaxListeners(0);
  const { accessToken: token } = await json<{ accessToken: string }>(`${stack.url}/api/auth/signup`, 'POST', undefined, {
    email: `bench-${randomUUID()}@bench.flux.local`,
    password: `Bench-${randomUUID()}-correct-horse`,
    name: 'Bench',
  });
  const org = await json<{ id: string }>(`${stack.url}/api/organizations`, 'POST', token, { name: `Bench ${randomUUID().slice(0, 6)}` });
  const project = await json<{ id: string }>(`${stack.url}/api/organizations/${org.id}/projects`, 'POST', token, { name: 'Bench' });
  const newDocument = async () =>
    (await json<{ id: string }>(`${stack.url}/api/documents`, 'POST', token, { projectId: project.id, title: 'bench' })).id;

  const gateway = `${stack.url.replace('http', 'ws')}/collab`;
  const direct = `ws://127.0.0.1:${stack.ports.collab}/collab`;
  const hocuspocus = await startHocuspocus();
  try {
    for (const [clients, rounds] of [
      [2, 500],
      [50, 100],
    ] as const) {
      const rows: Row[] = [];
      const run = async (name: string, make: (documentId: string) => Peer) => {
        const documentId = await newDocument();
        const peers = Array.from({ length: clients }, () => make(documentId));
        try {
          rows.push({ name, summary: summarize(await propagation(peers, rounds)) });
        } finally {
          for (const p of peers) p.close();
          // Let the server settle (disconnects, room unloads) before the next case: it skews the next one otherwise.
          await sleep(2000);
        }
      };
      await run('hocuspocus 4 direct (baseline)', (id) => hocuspocusPeer(hocuspocus.url, id));
      await run('collab through nginx', (id) => yWebsocketPeer(gateway, id, token));
      await run('collab direct', (id) => yWebsocketPeer(direct, id, token));
      table(`Yjs update propagation, ${clients} clients on one document, ${rounds} updates (ms, per receiver)`, rows);
    }
  } finally {
    hocuspocus.child.kill('SIGTERM');
  }

  // Memory: load many rooms (one client each, ~2 KB of text) and compare the collab process's memory.
  const metric = async (name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${stack.ports.collab}/metrics`)).text();
    return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  };
  const roomCount = 200;
  const documents = await Promise.all(Array.from({ length: roomCount }, newDocument));
  await sleep(500);
  const before = {
    heap: await metric('nodejs_heap_size_used_bytes'),
    rss: await metric('process_resident_memory_bytes'),
    rooms: await metric('collab_rooms'),
  };
  const peers = documents.map((id) => yWebsocketPeer(direct, id, token));
  await within(60_000, 'rooms load', Promise.all(peers.map((p) => p.ready)));
  for (const p of peers) p.doc.getText('content').insert(0, 'lorem ipsum dolor sit amet '.repeat(80));
  await sleep(1500);
  const after = {
    heap: await metric('nodejs_heap_size_used_bytes'),
    rss: await metric('process_resident_memory_bytes'),
    rooms: await metric('collab_rooms'),
  };
  for (const p of peers) p.close();
  const loaded = after.rooms - before.rooms;
  // Rooms unload COLLAB_ROOM_UNLOAD_DELAY_MS (10 s) after their last client leaves.
  const deadline = Date.now() + 30_000;
  while ((await metric('collab_rooms')) > before.rooms && Date.now() < deadline) await sleep(500);
  const unloadedRooms = await metric('collab_rooms');
  console.log(
    `\n## Memory per loaded room (collab, ${roomCount} rooms loaded (+${loaded} in collab_rooms), one client and ~2 KB of text each)`,
  );
  console.log(
    `heap used: ${((after.heap - before.heap) / roomCount / 1024).toFixed(1)} KiB/room   rss: ${((after.rss - before.rss) / roomCount / 1024).toFixed(1)} KiB/room   (includes the connection; no forced GC)`,
  );
  console.log(`after the clients left: collab_rooms ${unloadedRooms} (docs destroyed; the heap shrinks at the next GC)`);
}
