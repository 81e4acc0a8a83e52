import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { AuthTokens, Page, SessionInfo } from '@flux/shared';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.js';

/** One of this machine's own non-loopback addresses: a client using it as its source is "not on loopback" to nginx. */
function outsideAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!address) throw new Error('this test needs a non-loopback IPv4 address on the machine (none found)');
  return address;
}

/** GET through nginx with a chosen source address and headers (fetch cannot bind its source). */
function get(
  url: string,
  { from, headers = {} }: { from?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress: from, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The address auth sees is the one nginx saw, never a header the client chose (nginx sets X-Forwarded-For to $remote_addr). */
describe('client address through nginx', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Two sockets per address at the messaging service, so the test can see which address it counts.
    stack = await startStack({ MAX_SOCKETS_PER_IP: '2' });
  });
  afterAll(() => stack?.stop());

  it('ignores a spoofed X-Forwarded-For: the session records the real client address', async () => {
    const email = `spoof-${Date.now()}@test.flux.local`;
    const signup = await fetch(`${stack.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ email, password: 'Correct-Horse-Battery-9', name: 'Spoofer' }),
    });
    expect(signup.status).toBe(201);
    const { accessToken } = (await signup.json()) as AuthTokens;
    const sessions = (await (
      await fetch(`${stack.url}/api/auth/sessions`, { headers: { authorization: `Bearer ${accessToken}` } })
    ).json()) as Page<SessionInfo>;
    expect(sessions.items.map((s) => s.ip)).toEqual(['127.0.0.1']);
  });

  it('serves the dev outbox to a loopback client only, whatever X-Forwarded-For a remote client sends', async () => {
    const url = `${stack.url}/api/auth/dev/outbox?to=${encodeURIComponent('victim@test.flux.local')}`;
    expect((await get(url, {})).status).toBe(200);
    const from = outsideAddress();
    const remote = await get(url, { from });
    expect(remote.status).toBe(404);
    expect(JSON.parse(remote.body)).toMatchObject({ error: { code: 'not_found' } });
    const forged = await get(url, { from, headers: { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' } });
    expect(forged.status).toBe(404);
  });

  it('gives Socket.IO the client address on the upgrade too: the per-address socket cap counts each address apart', async () => {
    const signup = await fetch(`${stack.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `sockets-${Date.now()}@test.flux.local`, password: 'Correct-Horse-Battery-9', name: 'Sockets' }),
    });
    const { accessToken } = (await signup.json()) as AuthTokens;
    const sockets: ReturnType<typeof io>[] = [];
    const connect = (localAddress: string) =>
      new Promise<string>((resolve) => {
        const socket = io(stack.url, {
          path: '/socket.io/',
          transports: ['websocket'],
          auth: { token: accessToken },
          forceNew: true,
          reconnection: false,
          localAddress,
        } as Parameters<typeof io>[1]);
        sockets.push(socket);
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (err) => resolve(err.message));
      });
    try {
      expect(await connect('127.0.0.2')).toBe('connected');
      expect(await connect('127.0.0.2')).toBe('connected');
      expect(await connect('127.0.0.2')).toBe('too_many_connections');
      // Were the service handed nginx's own address, this one would share the full quota above.
      expect(await connect('127.0.0.3')).toBe('connected');
    } finally {
      for (const socket of sockets) socket.disconnect();
    }
  });
});
