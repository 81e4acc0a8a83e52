import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@flux/server-kit';
import type { FileInfo, Message } from '@flux/shared';
import { upsertInvitation } from '../../services/auth/src/invitations/repository.js';
import { hashToken, randomToken } from '../../services/auth/src/tokens/opaque.js';
import { factories as authFactories } from '../../services/auth/test/factories.js';
import { buildApp as buildCollab } from '../../services/collab/src/app.js';
import { loadConfig as loadCollabConfig } from '../../services/collab/src/config.js';
import { createDocument } from '../../services/collab/test/factories.js';
import { buildApp as buildMessaging } from '../../services/messaging/src/app.js';
import { loadConfig as loadMessagingConfig } from '../../services/messaging/src/config.js';
import { messagingFactories } from '../../services/messaging/test/factories.js';
import { type AuthHarness, startAuth, type TestUser } from '../support/auth.js';
import { type HttpClient, httpClient } from '../support/http.js';
import { listenOnLoopback } from '../support/listen.js';

/** A 1×1 PNG, sniffed as an image. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

export type Service = 'auth' | 'messaging' | 'collab';
export const Actors = ['owner', 'admin', 'member', 'guest', 'outsider', 'anonymous'] as const;
export type Actor = (typeof Actors)[number];
export type SignedIn = Exclude<Actor, 'anonymous'>;

/** The three services built as the service tests build them, listening on loopback (sockets need a port). */
export interface SecurityStack {
  auth: AuthHarness;
  apps: Record<Service, App>;
  urls: Record<Service, string>;
  /** Every registered route (`METHOD /path`, fastify's own path syntax) by service, HEAD left out. */
  routes: Record<Service, string[]>;
  world(): World;
  close(): Promise<void>;
}

/** Routes that are not the public API: service-to-service, scraping, health of the own port, the docs UI. */
export const isPublicRoute = (route: string): boolean => !/^\S+ (\/internal(\/|$)|\/metrics$|\/health$|\/api\/docs)/.test(route);

/**
 * The registered routes of a ready app, read off `printRoutes` (fastify lists no routes otherwise
 * once they are registered): each line of the tree adds its segment to its parent's path.
 */
export function registeredRoutes(app: App): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const path = (stack[depth - 1] ?? '') + (match[2] ?? '');
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD')) routes.push(`${method} ${path}`);
  }
  return routes.sort();
}

export async function startSecurityStack(): Promise<SecurityStack> {
  const prefix = `${process.env.REDIS_PREFIX ?? 'flux-test:'}security-${randomUUID().slice(0, 8)}:`;
  // Generous abuse limits: the suite makes many requests from one address; the limits have their own tests.
  const env = {
    REDIS_PREFIX: prefix,
    AUTH_INVITATIONS_PER_HOUR: '100000',
    MESSAGE_RATE_LIMIT: '100000',
    HOST: '127.0.0.1',
    PORT: '0',
  };
  const auth = await startAuth(env);
  // Collab first: messaging asks it about documents (images uploaded into one).
  const collab = await buildCollab(loadCollabConfig({ ...process.env, ...env, AUTH_URL: auth.url }), { logger: false });
  const collabUrl = await listenOnLoopback(collab);
  const messaging = await buildMessaging(
    loadMessagingConfig({
      ...process.env,
      ...env,
      AUTH_URL: auth.url,
      COLLAB_URL: collabUrl,
      FILES_DIR: mkdtempSync(join(tmpdir(), 'flux-security-')),
    }),
    { logger: false },
  );
  const apps = { auth: auth.app, messaging, collab };
  const urls = { auth: auth.url, messaging: await listenOnLoopback(messaging), collab: collabUrl };
  const routes = { auth: registeredRoutes(auth.app), messaging: registeredRoutes(messaging), collab: registeredRoutes(collab) };
  const people = authFactories(auth.app.db);
  const chats = messagingFactories(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test');
  return {
    auth,
    apps,
    urls,
    routes,
    world: () => new World(apps, people, chats),
    async close() {
      await Promise.allSettled([messaging.close(), collab.close()]);
      await chats.close();
      await auth.close();
    },
  };
}

const memo = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
};

/**
 * One organization and everything in it, made lazily (each piece on first use, by DB-level
 * factories or by its owner through the API): its owner, an admin, a member and a guest, plus an
 * outsider who is signed in with no relation to any of it. One world per matrix cell, so a cell
 * that deletes or leaves cannot change the answer of another.
 */
export class World {
  constructor(
    private readonly apps: Record<Service, App>,
    private readonly people: ReturnType<typeof authFactories>,
    private readonly chats: ReturnType<typeof messagingFactories>,
  ) {}

  readonly users = memo(async () => {
    const [owner, admin, member, guest, outsider, extra] = await Promise.all([
      this.people.user('Owner'),
      this.people.user('Admin'),
      this.people.user('Member'),
      this.people.user('Guest'),
      this.people.user('Outsider', { verified: true }),
      this.people.user('Extra'),
    ]);
    const organization = await this.people.organization(owner);
    await Promise.all([
      this.people.member(organization.id, admin, 'admin'),
      this.people.member(organization.id, member, 'member'),
      this.people.member(organization.id, guest, 'guest'),
      this.people.member(organization.id, extra, 'member'),
    ]);
    // `extra` is a colleague outside the group conversation: someone to add to it.
    return { owner, admin, member, guest, outsider, extra, organization };
  });

  async user(actor: Actor): Promise<TestUser | undefined> {
    return actor === 'anonymous' ? undefined : (await this.users())[actor];
  }

  async as(service: Service, actor: Actor): Promise<HttpClient> {
    return httpClient(this.apps[service], { token: (await this.user(actor))?.accessToken });
  }

  readonly organization = memo(async () => (await this.users()).organization);
  readonly project = memo(async () => {
    const { owner, organization } = await this.users();
    return this.people.project(owner, organization.id);
  });
  readonly document = memo(async () => {
    const { owner } = await this.users();
    return createDocument(this.apps.collab.db, { projectId: (await this.project()).id, createdBy: owner.id, title: 'Spec' });
  });
  readonly version = memo(async () => {
    const { id } = await this.document();
    return ok<{ id: string }>(await (await this.as('collab', 'owner')).post(`/api/documents/${id}/versions`, { name: 'v1' }));
  });
  /** The owner's comment thread on `document()`, with one reply of the owner's. */
  readonly commentThread = memo(async () => {
    const { id } = await this.document();
    const owner = await this.as('collab', 'owner');
    const body = { anchor: { from: 'AAAA', to: 'AAAA' }, quote: 'Spec', body: 'Is this right?' };
    const thread = ok<{ id: string }>(await owner.post(`/api/documents/${id}/comments`, body));
    const reply = ok<{ id: string }>(await owner.post(`/api/documents/${id}/comments/${thread.id}/replies`, { body: 'Yes.' }));
    return { documentId: id, threadId: thread.id, replyId: reply.id };
  });
  /** A group conversation of the owner (its admin) with the admin, the member and the guest. */
  readonly group = memo(async () => {
    const { owner, admin, member, guest } = await this.users();
    return this.chats.conversation('group', owner, [admin, member, guest], 'Team');
  });
  readonly direct = memo(async () => {
    const { owner, member } = await this.users();
    return this.chats.conversation('direct', owner, [member]);
  });
  /** The project's channel, opened by the owner (every member of the organization may join it). */
  readonly projectChannel = memo(async () => {
    const body = { type: 'project', projectId: (await this.project()).id };
    return ok<{ id: string }>(await (await this.as('messaging', 'owner')).post('/api/conversations', body));
  });
  /** A file the owner uploaded, attached to `message()` (so the group may download it). */
  readonly file = memo(async () => {
    const form = new FormData();
    form.append('file', new Blob(['security matrix'], { type: 'text/plain' }), 'note.txt');
    return ok<FileInfo>(await (await this.as('messaging', 'owner')).post('/api/files', undefined, { form }));
  });
  /** An image the owner uploaded into `document()`: the document's readers may download it. */
  readonly documentImage = memo(async () => {
    const form = new FormData();
    form.append('documentId', (await this.document()).id);
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'board.png');
    return ok<FileInfo>(await (await this.as('messaging', 'owner')).post('/api/files', undefined, { form }));
  });
  /** The owner's message in the group, with the file attached. */
  readonly message = memo(async () => {
    const [{ id }, file] = await Promise.all([this.group(), this.file()]);
    const body = { content: 'hello team', clientId: randomUUID(), attachments: [file.id] };
    return ok<Message>(await (await this.as('messaging', 'owner')).post(`/api/conversations/${id}/messages`, body));
  });
  /** A notification of the owner's. */
  readonly notification = memo(async () => {
    const { owner } = await this.users();
    const row = await this.chats.db
      .insertInto('messaging.notifications')
      .values({ user_id: owner.id, type: 'mention', title: 'Mentioned', body: 'hello', dedupe_key: randomUUID() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row;
  });
  /** The outsider's pending invitation to the organization (as a member), with its link's token. */
  readonly invitation = memo(async () => {
    const { owner, outsider, organization } = await this.users();
    const token = randomToken();
    const row = await upsertInvitation(this.apps.auth.db, {
      organizationId: organization.id,
      email: outsider.email,
      role: 'member',
      invitedBy: owner.id,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    return { id: row.id, token };
  });
  /** The session behind the owner's access token. */
  readonly session = memo(async () => {
    const { owner } = await this.users();
    const claims = JSON.parse(Buffer.from(owner.accessToken.split('.')[1] ?? '', 'base64url').toString()) as { sid: string };
    return { id: claims.sid };
  });
  readonly emailToken = (purpose: 'verify_email' | 'reset_password') =>
    this.users().then(({ owner }) => this.people.emailToken(owner, purpose));
}

function ok<T>(answer: { status: number; body: unknown }): T {
  if (answer.status >= 300) throw new Error(`fixture request answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}
