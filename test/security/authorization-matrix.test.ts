import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSyncStep1, encodeUpdate } from '../../services/collab/src/rooms/protocol.js';
import { collabMatrix, type CollabOutcome, type HttpRow, httpMatrix, type SocketOutcome, socketMatrix } from './matrix.js';
import { type Actor, Actors, isPublicRoute, type SecurityStack, type Service, startSecurityStack } from './stack.js';
import { admit, send, serverDocument } from './wire.js';

/** Runs `tasks` with at most `limit` at a time (each cell makes its own world: they are independent). */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

const label = (row: HttpRow) => `${row.method} ${row.route}${row.on ? ` (${row.on})` : ''}`;

/** A cell's outcome as `ROUTE actor → status`, so a failure lists every wrong cell at once. */
const cell = (route: string, actor: Actor, outcome: unknown) => `${route.padEnd(62)} ${actor.padEnd(9)} → ${String(outcome)}`;

describe('authorization matrix (test/security/matrix.ts)', () => {
  let stack: SecurityStack;

  beforeAll(async () => {
    stack = await startSecurityStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const serviceOf = (route: string): Service | undefined =>
    (Object.keys(stack.routes) as Service[]).find((service) => stack.routes[service].includes(route));

  it('has exactly one row per registered public route (HTTP rows and the collab WebSocket)', () => {
    const registered = Object.values(stack.routes).flat().filter(isPublicRoute).sort();
    const rows = [...new Set(httpMatrix.map((row) => `${row.method} ${row.route}`)), collabMatrix.route].sort();
    // A route has one row, or one per resource it is tried on (`on`), never two alike.
    const labels = httpMatrix.map(label);
    expect(labels.filter((one, index) => labels.indexOf(one) !== index)).toEqual([]);
    expect(registered.filter((route) => !rows.includes(route))).toEqual([]); // routes without a row
    expect(rows.filter((row) => !registered.includes(row))).toEqual([]); // rows naming no route
  });

  it('every HTTP route answers each actor as the matrix says', async () => {
    const tasks = httpMatrix.flatMap((row) =>
      Actors.map((actor) => async () => {
        const route = `${row.method} ${row.route}`;
        const service = serviceOf(route);
        if (!service) return cell(label(row), actor, 'not registered');
        const world = stack.world();
        const request = await row.request(world, actor);
        const http = await world.as(service, actor);
        const answer = await http.request(row.method, request.path, { body: request.body, query: request.query, form: request.form });
        return cell(label(row), actor, answer.status);
      }),
    );
    const expected = httpMatrix.flatMap((row) => Actors.map((actor, index) => cell(label(row), actor, row.expect[index])));
    expect(await pool(tasks, 6)).toEqual(expected);
  }, 120_000); // ~15 s on an idle machine; the whole team shares two cores

  it('every Socket.IO client event is in the matrix and acknowledges each actor as it says', async () => {
    const world = stack.world();
    const sockets: Socket[] = [];
    try {
      const outcomes: string[] = [];
      for (const [index, actor] of Actors.entries()) {
        const token = (await world.user(actor))?.accessToken;
        const socket = io(stack.urls.messaging, {
          transports: ['websocket'],
          auth: token ? { token } : {},
          reconnection: false,
          forceNew: true,
        });
        sockets.push(socket);
        const connected = await new Promise<boolean>((resolve) => {
          socket.once('connect', () => resolve(true));
          socket.once('connect_error', () => resolve(false));
        });
        if (index === 0) {
          // The events the server listens to on a live socket, read off the server's own socket.
          const serverSocket = stack.apps.messaging.io.sockets.sockets.get(socket.id ?? '');
          const registered = (serverSocket?.eventNames() ?? [])
            .map(String)
            .filter((name) => !['disconnect', 'disconnecting', 'error'].includes(name));
          expect(socketMatrix.map((row) => row.event).sort()).toEqual(registered.sort());
        }
        for (const row of socketMatrix) {
          let outcome: SocketOutcome = 'connect-refused';
          if (connected) {
            const ack = (await socket.timeout(10_000).emitWithAck(row.event, await row.payload(world))) as {
              ok: boolean;
              error?: { code: string };
            };
            outcome = ack.ok ? 'ok' : `refused:${ack.error?.code}`;
          }
          outcomes.push(cell(row.event, actor, outcome));
        }
      }
      const expected = Actors.flatMap((actor, index) => socketMatrix.map((row) => cell(row.event, actor, row.expect[index])));
      expect(outcomes).toEqual(expected);
    } finally {
      for (const socket of sockets) socket.disconnect();
    }
  });

  it('the collab WebSocket admits and lets each actor write as the matrix says', async () => {
    const world = stack.world();
    const { id: documentId } = await world.document();
    const wsUrl = `${stack.urls.collab.replace('http', 'ws')}/collab/${documentId}`;
    const outcomes: string[] = [];
    for (const actor of Actors) {
      const token = (await world.user(actor))?.accessToken;
      const admission = await admit(token ? `${wsUrl}?token=${encodeURIComponent(token)}` : wsUrl);
      let outcome: CollabOutcome;
      if ('closed' in admission) outcome = admission.closed;
      else {
        const text = `written by ${actor} ${randomUUID()}`;
        const edit = new Y.Doc();
        edit.getText('matrix').insert(0, text);
        await send(admission.socket, encodeUpdate(Y.encodeStateAsUpdate(edit)));
        const seen = await serverDocument(admission.socket, encodeSyncStep1(new Y.Doc()));
        outcome = typeof seen === 'number' ? seen : seen.getText('matrix').toString().includes(text) ? 'applied' : 'ignored';
        admission.socket.close();
      }
      outcomes.push(cell(collabMatrix.route, actor, outcome));
    }
    expect(outcomes).toEqual(Actors.map((actor, index) => cell(collabMatrix.route, actor, collabMatrix.expect[index])));
  });
});
