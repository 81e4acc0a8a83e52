// A bare Socket.IO server (no auth, no rooms, no database) in its own process, so its memory can
// be read on its own: the baseline of the connections scenario. Started by `startBareSocketIo`.
import { type ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Server } from 'socket.io';

if (process.env.FLUX_BARE_SOCKETIO === '1') {
  const http = createServer();
  // Socket.IO's defaults and the transport our web client uses.
  new Server(http, { path: '/socket.io/', transports: ['websocket'], serveClient: false });
  http.listen(0, '127.0.0.1', () => process.send?.({ port: (http.address() as AddressInfo).port }));
  process.on('disconnect', () => process.exit(0));
}

/** Forks a bare server and resolves with its process and port. */
export async function startBareSocketIo(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, FLUX_BARE_SOCKETIO: '1' }, stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`bare socket.io server exited (${code})`)));
  });
  return { child, port };
}
