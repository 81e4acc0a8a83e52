// biome-ignore-all lint/suspicious/noExplicitAny: the suites assert on JSON answers and socket payloads of many shapes; the assertions check them
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@flux/server-kit';
import { io, type Socket } from 'socket.io-client';
import { startAuth, type AuthHarness, type TestUser } from '../../../test/support/auth.js';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { eventually as sharedEventually } from '../../../test/support/eventually.js';
import { type HttpAnswer, httpClient } from '../../../test/support/http.js';
import { listenOnLoopback } from '../../../test/support/listen.js';

export type { AuthHarness, TestUser };
export { startAuth };

export interface MessagingServer {
  app: App;
  url: string;
  config: Config;
  close(): Promise<void>;
}

/** The real messaging app on a random port, verifying tokens with the real auth's JWKS. */
export async function startMessaging(auth: AuthHarness, env: Record<string, string> = {}): Promise<MessagingServer> {
  const config = loadConfig({
    ...process.env,
    AUTH_URL: auth.url,
    FILES_DIR: mkdtempSync(join(tmpdir(), 'flux-files-')),
    MESSAGE_RATE_LIMIT: '1000',
    ...env,
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const app = await buildApp(config, { logger: false });
  const url = await listenOnLoopback(app);
  return { app, url, config, close: () => app.close() };
}

export type Answer<T = any> = HttpAnswer<T>;

/** The shared typed HTTP client (test/support/http.ts) for one user, over a real socket. */
export function client(baseUrl: string, user: { accessToken: string } | undefined) {
  const http = httpClient(baseUrl, { token: user?.accessToken });
  return {
    get: <T = any>(path: string) => http.get<T>(path),
    post: <T = any>(path: string, body?: unknown) => http.post<T>(path, body ?? {}),
    patch: <T = any>(path: string, body: unknown) => http.patch<T>(path, body),
    delete: <T = any>(path: string, body?: unknown) => http.delete<T>(path, body === undefined ? {} : { body }),
  };
}

/** Sends a message over REST and returns it (fails the test on anything but 201). */
export async function send(baseUrl: string, user: TestUser, conversationId: string, content: string, extra: Record<string, unknown> = {}) {
  const answer = await client(baseUrl, user).post(`/api/conversations/${conversationId}/messages`, {
    content,
    clientId: randomUUID(),
    ...extra,
  });
  if (answer.status !== 201) throw new Error(`send answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function conversation(baseUrl: string, owner: TestUser, type: 'direct' | 'group', members: TestUser[], name?: string) {
  const answer = await client(baseUrl, owner).post('/api/conversations', {
    type,
    memberIds: members.map((m) => m.id),
    ...(name && { name }),
  });
  if (answer.status !== 201 && answer.status !== 200)
    throw new Error(`create conversation answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body as { id: string; [key: string]: any };
}

const sockets: Socket[] = [];

/** A stock socket.io-client connected (websocket only) with the user's token. */
export async function connect(baseUrl: string, user: { accessToken: string }, options: Record<string, unknown> = {}): Promise<Socket> {
  const socket = io(baseUrl, {
    path: '/socket.io/',
    transports: ['websocket'],
    auth: { token: user.accessToken },
    reconnection: false,
    forceNew: true,
    ...options,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export function closeSockets(): void {
  for (const socket of sockets.splice(0)) socket.disconnect();
}

/** Resolves with the next `event` payload that matches. */
export function nextEvent<T = any>(socket: Socket, event: string, matches: (payload: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const listener = (payload: T) => {
      if (!matches(payload)) return;
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Collects every `event` payload from now on. */
export function record<T = any>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

export function emitWithAck<T = any>(socket: Socket, event: string, ...args: unknown[]): Promise<T> {
  return socket.timeout(10_000).emitWithAck(event, ...args) as Promise<T>;
}

/** Waits until `probe` holds (for effects that happen after an answer, e.g. a queued job): the shared `eventually`. */
export const eventually = <T>(probe: () => Promise<T>, what = 'condition', ms = 10_000) => sharedEventually(probe, { what, timeout: ms });
