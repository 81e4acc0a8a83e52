import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@flux/server-kit';
import type { ClientToServerEvents, Conversation, Message, ServerToClientEvents, ServerToClientPayloads, SocketAck } from '@flux/shared';
import { io, type Socket } from 'socket.io-client';
import { startAuth, type AuthHarness, type TestUser } from '../../../test/support/auth.js';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { eventually as sharedEventually } from '../../../test/support/eventually.js';
import { type HttpAnswer, httpClient } from '../../../test/support/http.js';
import { listenOnLoopback } from '../../../test/support/listen.js';
import { factories as authFactories } from '../../auth/test/factories.js';

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

export type Answer<T> = HttpAnswer<T>;

/**
 * Users with live sessions as rows in auth's schema, with tokens auth's keys signed: messaging's
 * tests are not about sign-up (one argon2 hash per file instead of one per user). Their tokens
 * live as long as the dev config says, whatever the harness was started with.
 */
export function people(auth: AuthHarness): ReturnType<typeof authFactories> {
  const made = madePeople.get(auth) ?? authFactories(auth.app.db);
  madePeople.set(auth, made);
  return made;
}
// One per auth harness: the factories read config and load the signing key once.
const madePeople = new WeakMap<AuthHarness, ReturnType<typeof authFactories>>();

/**
 * `people(auth).user(name)` for each name, in parallel, as colleagues: one organization holds them
 * all (the first one owns it), since a direct or group conversation only joins people who share an
 * organization. Users from separate calls share none.
 */
export async function users<const Names extends readonly string[]>(
  auth: AuthHarness,
  ...names: Names
): Promise<{ [K in keyof Names]: TestUser }> {
  const made = await Promise.all(names.map((name) => people(auth).user(name)));
  const [owner, ...others] = made;
  if (owner) {
    const organization = await people(auth).organization(owner);
    await Promise.all(others.map((user) => people(auth).member(organization.id, user, 'member')));
  }
  return made as { [K in keyof Names]: TestUser };
}

/** The shared typed HTTP client (test/support/http.ts) for one user, over a real socket. */
export function client(baseUrl: string, user: { accessToken: string } | undefined) {
  const http = httpClient(baseUrl, { token: user?.accessToken });
  return {
    get: <T = unknown>(path: string) => http.get<T>(path),
    post: <T = unknown>(path: string, body?: unknown) => http.post<T>(path, body ?? {}),
    patch: <T = unknown>(path: string, body: unknown) => http.patch<T>(path, body),
    delete: <T = unknown>(path: string, body?: unknown) => http.delete<T>(path, body === undefined ? {} : { body }),
  };
}

/** Sends a message over REST and returns it (fails the test on anything but 201). */
export async function send(
  baseUrl: string,
  user: TestUser,
  conversationId: string,
  content: string,
  extra: Record<string, unknown> = {},
): Promise<Message> {
  const answer = await client(baseUrl, user).post<Message>(`/api/conversations/${conversationId}/messages`, {
    content,
    clientId: randomUUID(),
    ...extra,
  });
  if (answer.status !== 201) throw new Error(`send answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function conversation(
  baseUrl: string,
  owner: TestUser,
  type: 'direct' | 'group',
  members: TestUser[],
  name?: string,
): Promise<Conversation> {
  const answer = await client(baseUrl, owner).post<Conversation>('/api/conversations', {
    type,
    memberIds: members.map((m) => m.id),
    ...(name && { name }),
  });
  if (answer.status !== 201 && answer.status !== 200)
    throw new Error(`create conversation answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A socket.io-client typed by the contract's event maps. */
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const sockets: ClientSocket[] = [];

/** A stock socket.io-client connected (websocket only) with the user's token. */
export async function connect(
  baseUrl: string,
  user: { accessToken: string },
  options: Record<string, unknown> = {},
): Promise<ClientSocket> {
  const socket: ClientSocket = io(baseUrl, {
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

type EventName = keyof ServerToClientPayloads;

/** Resolves with the next `event` payload that matches. */
export function nextEvent<E extends EventName>(
  socket: ClientSocket,
  event: E,
  matches: (payload: ServerToClientPayloads[E]) => boolean = () => true,
): Promise<ServerToClientPayloads[E]> {
  // Socket.IO's listener types are per event; one generic listener is typed through the plain Socket.
  const plain = socket as unknown as Socket;
  const name: string = event;
  return new Promise((resolve) => {
    const listener = (payload: ServerToClientPayloads[E]): void => {
      if (!matches(payload)) return;
      plain.off(name, listener);
      resolve(payload);
    };
    plain.on(name, listener);
  });
}

/** Collects every `event` payload from now on. */
export function record<E extends EventName>(socket: ClientSocket, event: E): ServerToClientPayloads[E][] {
  const seen: ServerToClientPayloads[E][] = [];
  const name: string = event;
  (socket as unknown as Socket).on(name, (payload: ServerToClientPayloads[E]) => seen.push(payload));
  return seen;
}

type AckOf<E extends keyof ClientToServerEvents> = Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0];

/** Emits a contract event and resolves with its acknowledgement (10 s at most). */
export function emitWithAck<E extends keyof ClientToServerEvents>(
  socket: ClientSocket,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
): Promise<AckOf<E>> {
  return (socket as unknown as Socket).timeout(10_000).emitWithAck(event, payload);
}

/** Emits anything (malformed payloads, missing arguments): the server must still answer with an error ack. */
export function emitRaw(socket: ClientSocket, event: string, ...args: unknown[]): Promise<SocketAck<unknown>> {
  return (socket as unknown as Socket).timeout(10_000).emitWithAck(event, ...args);
}

/** Asserts an acknowledgement is a success and returns it, narrowed. */
export function acked<T>(ack: SocketAck<T>): { ok: true } & T {
  if (!ack.ok) throw new Error(`refused: ${JSON.stringify(ack.error)}`);
  return ack;
}

/** Asserts an acknowledgement is a refusal and returns its error. */
export function refused<T>(ack: SocketAck<T>) {
  if (ack.ok) throw new Error(`expected a refusal, got ${JSON.stringify(ack)}`);
  return ack.error;
}

/** Waits until `probe` holds (for effects that happen after an answer, e.g. a queued job): the shared `eventually`. */
export const eventually = <T>(probe: () => Promise<T>, what = 'condition', ms = 10_000) => sharedEventually(probe, { what, timeout: ms });
