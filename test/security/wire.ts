import WebSocket from 'ws';
import * as Y from 'yjs';

/** A y-websocket frame's varuint at `offset`: its value and the offset after it. */
export function readVarUint(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let at = offset; at < bytes.length; at++) {
    const byte = bytes[at] ?? 0;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at + 1];
    shift += 7;
  }
  throw new Error('truncated varuint');
}

/** The document a sync step 2 frame (0, 1, update) carries, or undefined for any other frame. */
export function syncStep2Doc(frame: Uint8Array): Y.Doc | undefined {
  if (frame[0] !== 0 || frame[1] !== 1) return undefined;
  const [length, start] = readVarUint(frame, 2);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, frame.subarray(start, start + length));
  return doc;
}

export type Admission = { socket: WebSocket } | { closed: number };

/** Opens a raw socket and waits for the server's greeting (admitted) or its close code. */
export function admit(url: string): Promise<Admission> {
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    socket.once('message', () => resolve({ socket }));
    socket.once('close', (code) => resolve({ closed: code }));
    socket.once('error', reject);
  });
}

/**
 * Resolves with the server's document once it has handled everything sent before (it answers a
 * sync step 1 in order), or with the close code if it closed the socket first.
 */
export function serverDocument(socket: WebSocket, syncStep1: Uint8Array): Promise<Y.Doc | number> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const doc = syncStep2Doc(new Uint8Array(data));
      if (doc) {
        socket.off('message', onMessage);
        resolve(doc);
      }
    };
    socket.on('message', onMessage);
    socket.once('close', (code) => resolve(code));
    socket.send(syncStep1);
  });
}

/** Sends a frame; resolves once it is written (or at once when the socket is no longer open). */
export const send = (socket: WebSocket, frame: Uint8Array): Promise<void> =>
  new Promise((resolve) => {
    if (socket.readyState !== WebSocket.OPEN) return resolve();
    socket.send(frame, () => resolve());
  });
