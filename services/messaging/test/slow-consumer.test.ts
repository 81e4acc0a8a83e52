import type { Message } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthHarness,
  closeSockets,
  connect,
  conversation,
  eventually,
  type MessagingServer,
  record,
  send,
  startAuth,
  startMessaging,
  users,
} from './helpers.js';

/** The TCP socket under a socket.io-client's websocket (node `ws`), to stop reading from it. */
const tcpOf = (socket: Awaited<ReturnType<typeof connect>>) =>
  (socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws._socket;

describe('a slow socket consumer', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  beforeAll(async () => {
    auth = await startAuth();
    // Bulky messages, so a client that reads nothing fills the buffers quickly.
    server = await startMessaging(auth, { MAX_MESSAGE_LENGTH: '50000' });
  });
  afterAll(async () => {
    closeSockets();
    await server?.close();
    await auth?.close();
  });

  it('does not stall the other receivers: they get every message while it reads nothing, and it catches up once it reads again', async () => {
    const [ada, slow, cy, dee] = await users(auth, 'Ada', 'Slow', 'Cy', 'Dee');
    const group = await conversation(server.url, ada, 'group', [slow, cy, dee], 'Crowd');
    const [slowSocket, cySocket, deeSocket] = await Promise.all([
      connect(server.url, slow),
      connect(server.url, cy),
      connect(server.url, dee),
    ]);
    const heard = { slow: record(slowSocket, 'message:new'), cy: record(cySocket, 'message:new'), dee: record(deeSocket, 'message:new') };

    // The slow client stops reading: what the server sends it piles up in the kernel's buffers, then the server's.
    tcpOf(slowSocket).pause();
    const bulky = 'x'.repeat(40_000);
    const sent: Message[] = [];
    for (let i = 0; i < 60; i++) sent.push(await send(server.url, ada, group.id, `${i} ${bulky}`));
    const ids = sent.map((m) => m.id);

    await eventually(async () => heard.cy.length === sent.length && heard.dee.length === sent.length, 'fast receivers got everything');
    expect(heard.cy.map((m) => m.id)).toEqual(ids);
    expect(heard.dee.map((m) => m.id)).toEqual(ids);
    // 2.4 MB did not fit in the buffers of a reader that reads nothing.
    expect(heard.slow.length).toBeLessThan(sent.length);

    tcpOf(slowSocket).resume();
    await eventually(async () => heard.slow.length === sent.length, 'the slow receiver caught up', 20_000);
    expect(heard.slow.map((m) => m.id)).toEqual(ids);
  });
});
