// One client process of a socket swarm (bench/lib/socket-swarm.ts forks several: a process may
// open at most ~20,000 files here). Opens its share of Socket.IO clients, holds them, and
// reports connects, disconnects and the server's heartbeats over IPC.
import { io, type Socket } from 'socket.io-client';
import type { SwarmCommand, SwarmReport } from './socket-swarm.js';

interface Client {
  socket: Socket;
  /** heartbeats (server pings) seen since the hold began */
  pings: number;
  lastPing: number;
}

const clients: Client[] = [];
let disconnects = 0;
const errors: Record<string, number> = {};

const send = (message: SwarmReport) => process.send?.(message);

function connectOne(url: string, token: string | undefined, localAddress: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = io(url, {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: token ? { token } : {},
      forceNew: true,
      reconnection: false,
      timeout: 60_000,
      localAddress,
    } as Parameters<typeof io>[1]);
    const client: Client = { socket, pings: 0, lastPing: Date.now() };
    socket.once('connect', () => {
      clients.push(client);
      // The server pings every pingInterval; the client answers on its own. A ping seen = the link is alive both ways.
      socket.io.on('ping', () => {
        client.pings++;
        client.lastPing = Date.now();
      });
      socket.once('disconnect', () => disconnects++);
      resolve();
    });
    socket.once('connect_error', (err) => {
      errors[err.message] = (errors[err.message] ?? 0) + 1;
      socket.close();
      resolve();
    });
  });
}

async function open(command: Extract<SwarmCommand, { type: 'open' }>): Promise<void> {
  const { url, tokens, count, localAddresses, concurrency } = command;
  let next = 0;
  let failed = 0;
  const progress = setInterval(() => send({ type: 'progress', connected: clients.length, failed }), 1000);
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const before = clients.length;
      await connectOne(url, tokens[i % tokens.length], localAddresses[i % localAddresses.length] ?? '127.0.0.1');
      if (clients.length === before) failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  clearInterval(progress);
  send({ type: 'opened', connected: clients.length, failed, errors });
}

function report(healthyPings: number, maxPingAge: number): void {
  const now = Date.now();
  let live = 0;
  let healthy = 0;
  let minPings = Number.POSITIVE_INFINITY;
  let oldestPingAge = 0;
  for (const client of clients) {
    if (!client.socket.connected) continue;
    live++;
    if (client.pings >= healthyPings && now - client.lastPing <= maxPingAge) healthy++;
    minPings = Math.min(minPings, client.pings);
    oldestPingAge = Math.max(oldestPingAge, now - client.lastPing);
  }
  send({ type: 'report', live, healthy, disconnects, minPings: live ? minPings : 0, oldestPingAge });
}

process.on('message', (command: SwarmCommand) => {
  if (command.type === 'open') void open(command);
  else if (command.type === 'hold') {
    for (const client of clients) Object.assign(client, { pings: 0, lastPing: Date.now() });
    disconnects = 0;
  } else if (command.type === 'report') report(command.healthyPings, command.maxPingAge);
  else if (command.type === 'close') {
    for (const client of clients) client.socket.disconnect();
    // Let the close frames leave before the process goes.
    setTimeout(() => process.exit(0), 200);
  }
});
// Never outlive the bench: a parent that died leaves no clients behind.
process.on('disconnect', () => process.exit(0));
