import type { AddressInfo } from 'node:net';
import type { App } from '@flux/server-kit';

/** Listens on a free loopback port and returns the app's base URL (`http://127.0.0.1:<port>`). */
export async function listenOnLoopback(app: App): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}
