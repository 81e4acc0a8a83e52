// Yjs clients for the collab scenarios: y-websocket peers (our protocol), a minimal Hocuspocus
// client and a Hocuspocus 4 server in its own process (the baseline), and the propagation timer.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

// bench/: Hocuspocus resolves from the bench package.
const here = fileURLToPath(new URL('..', import.meta.url));
export const within = <T>(ms: number, what: string, promise: Promise<T>) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref()),
  ]);

export interface Peer {
  doc: Y.Doc;
  ready: Promise<void>;
  close(): void;
}

export function yWebsocketPeer(serverUrl: string, documentId: string, token: string): Peer {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(serverUrl, documentId, doc, {
    WebSocketPolyfill: WebSocket as never,
    disableBc: true,
    params: { token },
  });
  const ready = new Promise<void>((resolve) => (provider.synced ? resolve() : provider.once('sync', () => resolve())));
  // provider.destroy() leaves the provider's Awareness (a 3 s setInterval) running until its doc is
  // destroyed: that timer is what kept `./flux bench` from ever exiting. Destroy both.
  return {
    doc,
    ready,
    close: () => {
      provider.destroy();
      doc.destroy();
    },
  };
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
export function hocuspocusPeer(url: string, documentName: string): Peer {
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
  return {
    doc,
    ready,
    close: () => {
      ws.close();
      doc.destroy();
    },
  };
}

/** Writer sets a counter; each other peer records when it sees the value. Returns per-receiver latencies (ms). */
export async function propagation(peers: Peer[], rounds: number, warmup = 20): Promise<number[]> {
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

export async function startHocuspocus(): Promise<{ url: string; child: ChildProcess }> {
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
