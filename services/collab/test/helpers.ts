import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { AuthHarness, TestUser } from '../../../test/support/auth.js';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { eventually } from '../../../test/support/eventually.js';
import { type HttpClient, httpClient } from '../../../test/support/http.js';
import { listenOnLoopback } from '../../../test/support/listen.js';
import { factories as authFactories } from '../../auth/test/factories.js';
import { createDocument } from './factories.js';

/** A Redis prefix of this test file under the run's prefix (removed by the global teardown). */
export const filePrefix = () => `${process.env.REDIS_PREFIX ?? 'flux-test:'}collab-${randomUUID().slice(0, 8)}:`;

export interface CollabServer {
  app: App;
  config: Config;
  url: string;
  /** JSON over a real connection to `url` (the tests hold sockets open beside it). */
  http: HttpClient;
  wsUrl: string;
  close(): Promise<void>;
}

/** The real collab app on a random port, verifying tokens with the auth harness's JWKS. */
export async function startCollab(auth: AuthHarness, env: Record<string, string> = {}): Promise<CollabServer> {
  const config = loadConfig({
    ...process.env,
    AUTH_URL: auth.url,
    COLLAB_ROOM_UNLOAD_DELAY_MS: '100',
    COLLAB_FLUSH_INTERVAL_MS: '50',
    COLLAB_DOCUMENT_EVENT_DEBOUNCE_MS: '100',
    ...env,
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const app = await buildApp(config, { logger: false });
  const url = await listenOnLoopback(app);
  return { app, config, url, http: httpClient(url), wsUrl: `${url.replace('http', 'ws')}/collab`, close: () => app.close() };
}

/** The stock y-websocket client, configured for Node as the contract says. */
export function provider(wsUrl: string, documentId: string, token: string, doc = new Y.Doc()): WebsocketProvider {
  return new WebsocketProvider(wsUrl, documentId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: { token },
  });
}

export async function synced(p: WebsocketProvider): Promise<WebsocketProvider> {
  await eventually(() => p.synced, { what: 'provider sync' });
  return p;
}

/** Resolves with the close code the server sent; a raw socket so nothing reconnects. */
export function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.once('close', (code) => resolve(code));
    ws.once('error', reject);
  });
}

export const rawSocket = (wsUrl: string, documentId: string, token?: string) =>
  new WebSocket(`${wsUrl}/${documentId}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`);

export interface Fixture {
  owner: TestUser;
  organizationId: string;
  projectId: string;
  documentId: string;
}

/**
 * Users, organizations, projects and memberships as rows in auth's schema, with tokens auth's
 * keys signed: collab tests exercise documents and sockets, not sign-up (one argon2 hash per file).
 * Role changes a test is about still go through auth's API, which publishes `membership.changed`.
 */
export function people(auth: AuthHarness): ReturnType<typeof authFactories> {
  const made = madePeople.get(auth) ?? authFactories(auth.app.db);
  madePeople.set(auth, made);
  return made;
}
// One per auth harness: the factories read config and load the signing key once.
const madePeople = new WeakMap<AuthHarness, ReturnType<typeof authFactories>>();

/** An owner with an organization, a project and one document in it. */
export async function fixture(auth: AuthHarness, collab: CollabServer): Promise<Fixture> {
  const { user, project: createProject } = people(auth);
  const owner = await user();
  const project = await createProject(owner);
  const document = await createDocument(collab.app.db, { projectId: project.id, createdBy: owner.id, title: 'Spec' });
  return { owner, organizationId: project.organizationId, projectId: project.id, documentId: document.id };
}
