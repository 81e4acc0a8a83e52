// Yjs clients for the collab scenarios: the smallest client of each protocol (sync and updates,
// no awareness), so our service and the Hocuspocus baseline are driven by the same work.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import * as Y from 'yjs';

export interface Peer {
  doc: Y.Doc;
  /** Resolves once the server's state is applied (sync step 2 received). */
  ready: Promise<void>;
  close(): void;
}

const here = fileURLToPath(new URL('..', import.meta.url));

// The few lib0 varint helpers the protocols need (bench does not depend on lib0).
const varUint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const bytes = (b: Uint8Array): Uint8Array => Buffer.concat([Uint8Array.from(varUint(b.length)), b]);
const str = (s: string): Uint8Array => bytes(new TextEncoder().encode(s));
class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  uint(): number {
    let n = 0;
    let mult = 1;
    for (;;) {
      const b = this.buf[this.pos++] ?? 0;
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

const SYNC = 0;
const STEP1 = 0;
const STEP2 = 1;
const UPDATE = 2;

/**
 * A y-websocket protocol client (our collab service). With `prefix`, every message carries the
 * document name first and opens with a token: Hocuspocus's protocol, which the stock y-websocket
 * client does not speak.
 */
function peer(url: string, hocuspocusDocument?: string): Peer {
  const doc = new Y.Doc();
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const prefix = hocuspocusDocument === undefined ? new Uint8Array() : str(hocuspocusDocument);
  const send = (...parts: Array<Uint8Array | number[]>) =>
    ws.send(Buffer.concat([prefix, ...parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)))]));
  let synced!: () => void;
  let failed!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    synced = resolve;
    failed = reject;
  });
  ws.on('open', () => {
    if (hocuspocusDocument !== undefined) send([2, 0], str('bench')); // auth: a token
    send([SYNC, STEP1], bytes(Y.encodeStateVector(doc)));
  });
  ws.on('close', (code, reason) => failed(new Error(`closed ${code} ${reason.toString()}`)));
  ws.on('error', (err) => failed(err));
  ws.on('message', (data: Buffer) => {
    const r = new Reader(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (hocuspocusDocument !== undefined) r.bytes();
    const type = r.uint();
    // Hocuspocus answers a sync step 1 with its type 4 (sync reply), same body.
    if (type !== SYNC && type !== 4) return;
    const step = r.uint();
    const payload = r.bytes();
    if (step === STEP1) send([SYNC, STEP2], bytes(Y.encodeStateAsUpdate(doc, payload)));
    else Y.applyUpdate(doc, payload, ws);
    if (step === STEP2) synced();
  });
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === ws || ws.readyState !== WebSocket.OPEN) return;
    send([SYNC, UPDATE], bytes(update));
  });
  ready.catch(() => {});
  return {
    doc,
    ready,
    close: () => {
      ws.terminate();
      doc.destroy();
    },
  };
}

export const collabPeer = (base: string, documentId: string, token: string): Peer =>
  peer(`${base}/${documentId}?token=${encodeURIComponent(token)}`);
export const hocuspocusPeer = (url: string, documentName: string): Peer => peer(url, documentName);

export interface Hocuspocus {
  url: string;
  child: ChildProcess;
}

/** @hocuspocus/server 4 with no extensions (so no persistence) in a process of its own. */
export async function startHocuspocus(): Promise<Hocuspocus> {
  const code = `import { Server } from '@hocuspocus/server';
const server = new Server({ port: 0, address: '127.0.0.1', quiet: true });
await server.listen();
process.stdout.write(server.address.port + '\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('hocuspocus did not start within 15 s')), 15_000);
    child.stdout?.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(chunk.toString().trim());
    });
    child.once('exit', (c) => reject(new Error(`hocuspocus exited with ${c}`)));
  });
  return { url: `ws://127.0.0.1:${port}`, child };
}

export const within = <T>(ms: number, what: string, promise: Promise<T>): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref()),
  ]);

/**
 * Edits at a fixed rate, each by the next peer of its group in turn (a new key in a shared map), and
 * records the time from each edit to every other peer of the group applying it, per group. Groups
 * are documents, all edited at once, each `perGroupRate` times a second, their edits spread evenly
 * over the interval: groups on different servers see the same machine at the same moments.
 */
export async function editLatencies(
  groups: Peer[][],
  perGroupRate: number,
  seconds: number,
): Promise<{ samples: number[][]; missing: number }> {
  const samples = groups.map((): number[] => []);
  const sentAt = new Map<string, number>();
  let expected = 0;
  let received = 0;
  const unobserve: Array<() => void> = [];
  groups.forEach((group, g) => {
    for (const p of group) {
      const map = p.doc.getMap<number>('bench');
      const observer = (event: Y.YMapEvent<number>) => {
        if (event.transaction.local) return;
        const now = performance.now();
        for (const key of event.keysChanged) {
          const t0 = sentAt.get(key);
          if (t0 === undefined) continue;
          samples[g]?.push(now - t0);
          received++;
        }
      };
      map.observe(observer);
      unobserve.push(() => map.unobserve(observer));
    }
  });
  const started = performance.now();
  const interval = 1000 / perGroupRate;
  const total = Math.round(perGroupRate * seconds);
  for (let k = 0; k < total; k++) {
    for (let g = 0; g < groups.length; g++) {
      const wait = started + k * interval + (g * interval) / groups.length - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const members = groups[g] ?? [];
      const writer = members[k % members.length];
      if (!writer) continue;
      const key = `${g}:${k}`;
      sentAt.set(key, performance.now());
      writer.doc.getMap<number>('bench').set(key, k);
      expected += members.length - 1;
    }
  }
  const deadline = performance.now() + 5000;
  while (received < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const stop of unobserve) stop();
  return { samples, missing: expected - received };
}
