import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

/** Message types of the y-websocket protocol (the first varUint of every frame). */
export const MessageType = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const;

/** A frame decoded far enough to route it; `update` payloads are checked before they touch a doc. */
export type ClientMessage =
  | { type: 'sync-step-1'; stateVector: Uint8Array }
  | { type: 'sync-step-2' | 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array; entries: AwarenessEntry[] }
  | { type: 'query-awareness' }
  | { type: 'auth' };

export class MalformedMessage extends Error {}

/** One client's part of an awareness update: whose, which clock, its state (JSON) and whether that removes it. */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: string;
  removes: boolean;
}

/**
 * Decodes one frame. Throws MalformedMessage for anything that is not a well-formed y-websocket
 * message, including Yjs updates that do not decode, so a bad frame never reaches the room's doc.
 */
export function decodeMessage(frame: Uint8Array): ClientMessage {
  try {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MessageType.sync: {
        const syncType = decoding.readVarUint(decoder);
        const payload = decoding.readVarUint8Array(decoder);
        if (syncType === syncProtocol.messageYjsSyncStep1) {
          Y.decodeStateVector(payload);
          return { type: 'sync-step-1', stateVector: payload };
        }
        if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
          Y.decodeUpdate(payload);
          return { type: syncType === syncProtocol.messageYjsUpdate ? 'update' : 'sync-step-2', update: payload };
        }
        break;
      }
      case MessageType.awareness: {
        const update = decoding.readVarUint8Array(decoder);
        return { type: 'awareness', update, entries: awarenessEntries(update) };
      }
      case MessageType.queryAwareness:
        return { type: 'query-awareness' };
      case MessageType.auth:
        return { type: 'auth' };
    }
  } catch (err) {
    throw new MalformedMessage(err instanceof Error ? err.message : 'undecodable frame');
  }
  throw new MalformedMessage('unknown message type');
}

/**
 * Walks an awareness update the way applyAwarenessUpdate will, so a bad one is refused before it
 * is applied, and returns what it says about each client.
 */
function awarenessEntries(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state = decoding.readVarString(decoder);
    entries.push({ clientId, clock, state, removes: JSON.parse(state) === null });
  }
  return entries;
}

/** An awareness update holding only `entries` (the ones a room accepted out of a client's message). */
export function encodeAwarenessEntries(entries: AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, state);
  }
  return encoding.toUint8Array(encoder);
}

const frame = (write: (encoder: encoding.Encoder) => void): Uint8Array => {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
};

export const encodeSyncStep1 = (doc: Y.Doc): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.sync);
    syncProtocol.writeSyncStep1(e, doc);
  });

export const encodeSyncStep2 = (doc: Y.Doc, stateVector?: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.sync);
    syncProtocol.writeSyncStep2(e, doc, stateVector);
  });

export const encodeUpdate = (update: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.sync);
    syncProtocol.writeUpdate(e, update);
  });

export const encodeAwareness = (update: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.awareness);
    encoding.writeVarUint8Array(e, update);
  });

export const encodeAwarenessStates = (
  awareness: awarenessProtocol.Awareness,
  clients: number[] = [...awareness.getStates().keys()],
): Uint8Array => encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
