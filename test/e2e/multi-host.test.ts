import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@flux/migrations';
import { createDatabase } from '@flux/server-kit';
import type {
  AuthTokens,
  ClientToServerEvents,
  CollabDocument,
  Conversation,
  Message,
  Organization,
  Page,
  Project,
  ServerToClientEvents,
  SocketAck,
} from '@flux/shared';
import { type RegisteredService, serviceRegistry } from '@flux/shared/registry';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { freePort, spawnNginx, startServiceProcess, stopProcess, waitFor, writeNginxConfig } from '../../packages/cli/src/stack/index.js';
import { eventually } from '../support/eventually.js';
import { type HttpClient, httpClient } from '../support/http.js';
import { INVITATION_LINK } from '../support/invitations.js';
import { TestNetwork } from './netns.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
interface User {
  id: string;
  email: string;
  accessToken: string;
}

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const APP_HOSTS = ['a', 'b'] as const;
type AppHost = (typeof APP_HOSTS)[number];
const REDIS_PREFIX = `flux-mh-${process.pid}:`;
const PURGE_EVERY_SECONDS = 1;
const PASSWORD = `Flux-${randomUUID().slice(0, 8)}-correct-horse-battery`;

/**
 * FluxStudio on several machines: three hosts in network namespaces on a private bridge. Hosts a
 * and b each run auth, messaging and collab (the built services); "data" runs PostgreSQL and Redis
 * (private instances on its own address); the gateway nginx (the project's renderer, upstreams on
 * both app hosts) listens on the bridge in the root namespace. Runs as root only (ip netns).
 */
describe('several machines', () => {
  let network: TestNetwork;
  let dataDir = '';
  let redisServer: ChildProcess | undefined;
  let nginx: ChildProcess | undefined;
  let nginxPrefix = '';
  let redis: Redis;
  let gateway = '';
  const apps = new Map<AppHost, ChildProcess[]>();
  const sockets: ClientSocket[] = [];
  const providers: WebsocketProvider[] = [];
  let ada: User;
  let bob: User;
  let chat: Conversation;
  let documentId: string;

  const dataUrl = () => `postgres://postgres@${network.address('data')}:5432/flux`;
  const serviceUrl = (host: AppHost, service: RegisteredService) =>
    `http://${network.address(host)}:${serviceRegistry.find((s) => s.name === service)?.port}`;
  const api = (user?: User, base = gateway): HttpClient => httpClient(base, { token: user?.accessToken });

  // initdb and postgres refuse to run as root: the cluster belongs to the postgres user.
  const asPostgres = (args: string[], wrapper: string[] = []) => {
    const [command = 'runuser', ...rest] = [...wrapper, 'runuser', '-u', 'postgres', '--', ...args];
    execFileSync(command, rest, { stdio: 'pipe' });
  };

  async function startData(): Promise<void> {
    const address = network.address('data');
    dataDir = mkdtempSync(join(tmpdir(), 'flux-mh-pg-'));
    chmodSync(dataDir, 0o777);
    asPostgres([join(PG_BIN, 'initdb'), '-D', join(dataDir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    // Trust only the test's own range, where the app hosts live.
    appendFileSync(join(dataDir, 'data/pg_hba.conf'), `host all all ${network.subnet}.0/24 trust\n`);
    const options = `-p 5432 -k ${dataDir} -c listen_addresses=${address} -c fsync=off -c max_connections=300`;
    asPostgres(
      [join(PG_BIN, 'pg_ctl'), '-D', join(dataDir, 'data'), '-l', join(dataDir, 'log'), '-o', options, '-w', 'start'],
      network.wrapper('data'),
    );
    const [command = 'ip', ...args] = [
      ...network.wrapper('data'),
      'redis-server',
      ...['--bind', address, '--port', '6379', '--protected-mode', 'no', '--save', '', '--appendonly', 'no'],
    ];
    redisServer = spawn(command, args, { stdio: 'ignore' });
    redis = new Redis(6379, address, { maxRetriesPerRequest: 3 });
    redis.on('error', () => {}); // refused until redis-server listens
    await eventually(async () => (await redis.ping()) === 'PONG', { what: 'Redis on the data host', timeout: 10_000 });
    await migrate(dataUrl(), { createDatabase: true });
  }

  function serviceEnv(host: AppHost, service: RegisteredService): NodeJS.ProcessEnv {
    const address = network.address(host);
    return {
      ...process.env,
      AUTH_CREDENTIAL_REQUESTS_PER_IP_PER_MINUTE: '100000',
      MESSAGE_RATE_LIMIT: '100000',
      NODE_ENV: 'test',
      HOST: address,
      PORT: String(serviceRegistry.find((s) => s.name === service)?.port),
      DATABASE_URL: dataUrl(),
      REDIS_URL: `redis://${network.address('data')}:6379`,
      REDIS_PREFIX,
      AUTH_URL: `http://${address}:3001`,
      PUBLIC_URL: gateway,
      // The gateway is not on loopback: its X-Forwarded-For names the client only if trusted.
      TRUSTED_PROXIES: network.gatewayAddress,
      LOG_LEVEL: 'error',
      AUTH_PURGE_EVERY_SECONDS: String(PURGE_EVERY_SECONDS),
      COLLAB_ROOM_UNLOAD_DELAY_MS: '100',
      // Edits reach PostgreSQL (and count toward compaction) within 50 ms instead of a second.
      COLLAB_FLUSH_INTERVAL_MS: '50',
      FILES_DIR: join(dataDir, `files-${host}`),
    };
  }

  async function startHost(host: AppHost): Promise<void> {
    const started: ChildProcess[] = [];
    apps.set(host, started);
    // auth first: the others fetch its keys.
    for (const group of [['auth'], ['messaging', 'collab']] as const) {
      await Promise.all(
        group.map(async (name) => {
          const service = serviceRegistry.find((s) => s.name === name);
          if (!service) throw new Error(`no service ${name}`);
          started.push(await startServiceProcess(service, serviceEnv(host, name), { wrapper: network.wrapper(host) }));
        }),
      );
    }
  }

  /**
   * An invitation accepted through the gateway. The dev outbox answers loopback callers only, and the
   * gateway is not loopback here: the mailed link is read from the data host's PostgreSQL instead.
   */
  async function joinOrganization(owner: User, organizationId: string, invitee: User): Promise<void> {
    const invited = await api(owner).post(`/api/organizations/${organizationId}/members`, { email: invitee.email, role: 'member' });
    if (invited.status !== 202) throw new Error(`invite answered ${invited.status}: ${JSON.stringify(invited.body)}`);
    const { sql } = createDatabase(dataUrl(), 1);
    try {
      const token = await eventually(async () => {
        const [mail] = await sql<
          { body: string }[]
        >`select body from auth.dev_outbox where recipient = ${invitee.email} order by created_at desc limit 1`;
        return mail && INVITATION_LINK.exec(mail.body)?.[1];
      });
      const accepted = await api(invitee).post('/api/invitations/accept', { token });
      if (accepted.status !== 200) throw new Error(`accepting answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
    } finally {
      await sql.end();
    }
  }

  beforeAll(async () => {
    network = TestNetwork.create(['a', 'b', 'data']);
    gateway = `http://${network.gatewayAddress}:${await freePort()}`;
    await startData();
    await Promise.all(APP_HOSTS.map(startHost));
    nginxPrefix = mkdtempSync(join(tmpdir(), 'flux-mh-nginx-'));
    const upstream = (service: RegisteredService) => APP_HOSTS.map((host) => serviceUrl(host, service).replace('http://', ''));
    const conf = writeNginxConfig({
      prefix: nginxPrefix,
      address: network.gatewayAddress,
      port: Number(new URL(gateway).port),
      upstreams: { auth: upstream('auth'), messaging: upstream('messaging'), collab: upstream('collab') },
    });
    nginx = spawnNginx(process.env.NGINX_BIN ?? '/usr/sbin/nginx', nginxPrefix, conf);
    await waitFor('gateway nginx', async () => (await fetch(`${gateway}/api/auth/health`)).status === 200);

    const signup = async (name: string): Promise<User> => {
      const answer = await api().post<AuthTokens>('/api/auth/signup', {
        email: `mh-${randomUUID()}@test.flux.local`,
        password: PASSWORD,
        name,
      });
      if (answer.status !== 201) throw new Error(`sign-up answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return { id: answer.body.user.id, email: answer.body.user.email, accessToken: answer.body.accessToken };
    };
    [ada, bob] = await Promise.all([signup('Ada'), signup('Bob')]);
    const org = await api(ada).post<Organization>('/api/organizations', { name: `Hosts ${randomUUID().slice(0, 6)}` });
    await joinOrganization(ada, org.body.id, bob);
    chat = (await api(ada).post<Conversation>('/api/conversations', { type: 'direct', memberIds: [bob.id] })).body;
    const project = await api(ada).post<Project>(`/api/organizations/${org.body.id}/projects`, { name: 'Docs' });
    documentId = (await api(ada).post<CollabDocument>('/api/documents', { projectId: project.body.id, title: 'Across hosts' })).body.id;
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const provider of providers) provider.destroy();
    redis?.disconnect();
    await Promise.all([...apps.values()].flat().map((child) => stopProcess(child, 'SIGKILL')));
    await stopProcess(nginx, 'SIGQUIT');
    if (dataDir) {
      try {
        asPostgres([join(PG_BIN, 'pg_ctl'), '-D', join(dataDir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already gone
      }
    }
    await stopProcess(redisServer, 'SIGKILL');
    network?.destroy();
    for (const dir of [dataDir, nginxPrefix]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const connect = async (user: User, base: string, options: Record<string, unknown> = {}): Promise<ClientSocket> => {
    const socket: ClientSocket = io(base, {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: { token: user.accessToken },
      forceNew: true,
      reconnection: false,
      ...options,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };
  const open = (base: string, doc = new Y.Doc()) => {
    const provider = new WebsocketProvider(`${base.replace('http', 'ws')}/collab`, documentId, doc, {
      WebSocketPolyfill: WebSocket as never,
      disableBc: true,
      params: { token: ada.accessToken },
    });
    providers.push(provider);
    return provider;
  };
  const text = (provider: WebsocketProvider) => provider.doc.getText('content').toString();
  /** Entries of a BullMQ queue's event stream (`<prefix>bull:<queue>:events`) as field maps. */
  const queueEvents = async (queue: string) =>
    (await redis.xrange(`${REDIS_PREFIX}bull:${queue}:events`, '-', '+')).map(([, fields]) => {
      const entry: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) entry[fields[i] ?? ''] = fields[i + 1] ?? '';
      return entry;
    });

  it('delivers across hosts: a socket on host a receives the message sent through host b', async () => {
    const onA = await connect(bob, serviceUrl('a', 'messaging'));
    const received = new Promise<Message>((resolve) => onA.on('message:new', resolve));
    const sent = await api(ada, serviceUrl('b', 'messaging')).post<Message>(`/api/conversations/${chat.id}/messages`, {
      content: 'from host b',
      clientId: randomUUID(),
    });
    expect(sent.status).toBe(201);
    expect(await received).toMatchObject({ id: sent.body.id, content: 'from host b' });
  });

  it('collab converges through the gateway (one document, one host) and across hosts through the Redis relay', async () => {
    const [x, y] = [open(gateway), open(gateway)];
    await eventually(() => x.synced && y.synced, { what: 'gateway clients synced', timeout: 15_000 });
    x.doc.getText('content').insert(0, 'gateway-x ');
    y.doc.getText('content').insert(0, 'gateway-y ');
    await eventually(() => text(x).length === 20 && text(x) === text(y), { what: 'gateway clients converge', timeout: 15_000 });

    // The same document open on both hosts at once: only the relay can bring the edits together.
    const [onA, onB] = [open(serviceUrl('a', 'collab')), open(serviceUrl('b', 'collab'))];
    await eventually(() => onA.synced && onB.synced, { what: 'direct clients synced', timeout: 15_000 });
    onA.doc.getText('content').insert(0, 'on-a ');
    onB.doc.getText('content').insert(0, 'on-b ');
    await eventually(() => text(onA).length === 30 && text(onA) === text(onB) && text(x) === text(onA), {
      what: 'both hosts and the gateway clients converge',
      timeout: 15_000,
    });
  });

  it('scheduled jobs run once, not once per host: one purge per period, one compaction of a document both hosts asked for', async () => {
    // Auth's purge: both hosts upserted the scheduler at boot; Redis holds one, and each period runs one job.
    expect(await redis.zcard(`${REDIS_PREFIX}bull:auth-maintenance:repeat`)).toBe(1);
    const purges = await eventually(
      async () => {
        const done = (await queueEvents('auth-maintenance')).filter((e) => e.event === 'completed' && e.jobId?.includes('purge_expired'));
        return done.length >= 4 ? done : false;
      },
      { what: 'four purge runs', timeout: 20_000 },
    );
    const slots = purges.map((e) => Number(/(\d+)$/.exec(e.jobId ?? '')?.[1])).sort((l, r) => l - r);
    expect(new Set(slots).size).toBe(slots.length);
    // One run per period at most: consecutive runs are whole periods apart (a busy machine may skip one, never double one).
    const gaps = slots.slice(1).map((slot, i) => (slot - (slots[i] ?? 0)) / (PURGE_EVERY_SECONDS * 1000));
    expect(gaps.filter((gap) => !Number.isInteger(gap) || gap < 1)).toEqual([]);

    // Collab compaction: both hosts hold a room of the document with edits; both rooms unload at once
    // and each host asks for a compaction; the job id is the document, so one job runs.
    for (const provider of providers.splice(0)) provider.destroy();
    const jobId = `compact-${documentId}`;
    await eventually(async () => (await queueEvents('collab-compaction')).some((e) => e.jobId === jobId && e.event === 'completed'), {
      what: 'the compaction ran',
      timeout: 15_000,
    });
    // Settle past the job's delay: a second job, had one been queued, would complete by now.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const events = (await queueEvents('collab-compaction')).filter((e) => e.jobId === jobId).map((e) => e.event);
    const requests = events.filter((event) => event === 'added' || event === 'duplicated').length;
    const runs = events.filter((event) => event === 'completed').length;
    expect({ requests, runs }).toEqual({ requests: 2, runs: 1 });
    console.info(
      `[multi-host] purge: ${purges.length} runs in ${new Set(slots).size} periods; compaction: ${requests} requests, ${runs} run`,
    );
  });

  it('a host killed with SIGKILL: its sockets reconnect to the other within 5 s and every acknowledged message is in history once', async () => {
    const clients = await Promise.all(
      [ada, bob, ada, bob].map((user) => connect(user, gateway, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500 })),
    );
    const acked = new Set<string>();
    let running = true;
    const senders = clients.map(async (socket, index) => {
      for (let n = 0; running; n++) {
        const body = { conversationId: chat.id, content: `sender ${index} #${n}`, clientId: randomUUID() };
        // Retries keep the clientId: a send that reached the killed host before it died is the same message.
        for (;;) {
          const ack: SocketAck<{ message: Message }> | undefined = await socket
            .timeout(2_000)
            .emitWithAck('message:send', body)
            .catch(() => undefined);
          if (ack?.ok) {
            acked.add(ack.message.id);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await eventually(() => acked.size >= 40, { what: '40 acknowledged before the kill', timeout: 20_000 });

    const dropped = new Map<ClientSocket, number>();
    const back = new Map<ClientSocket, number>();
    for (const socket of clients) {
      socket.once('disconnect', () => dropped.set(socket, performance.now()));
      socket.io.on('reconnect', () => back.set(socket, performance.now()));
    }
    const killedAt = performance.now();
    await Promise.all((apps.get('a') ?? []).map((child) => stopProcess(child, 'SIGKILL')));
    const ackedAtKill = acked.size;

    await eventually(() => dropped.size > 0 && [...dropped.keys()].every((socket) => back.has(socket) && socket.connected), {
      what: 'the sockets of host a reconnected (to host b)',
      timeout: 5_000,
    });
    const reconnectMs = Math.max(...[...back.values()].map((at) => at - killedAt));
    await eventually(() => acked.size >= ackedAtKill + 40, { what: '40 more acknowledged after the kill', timeout: 20_000 });
    running = false;
    await Promise.all(senders);

    const history: Message[] = [];
    let before: string | undefined;
    do {
      const page = await api(ada).get<Page<Message>>(`/api/conversations/${chat.id}/messages`, { query: { limit: 100, before } });
      expect(page.status).toBe(200);
      history.push(...page.body.items);
      before = page.body.nextCursor ?? undefined;
    } while (before);
    const ids = history.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...acked].filter((id) => !ids.includes(id))).toEqual([]);
    const seqs = history.map((m) => m.seq).sort((l, r) => l - r);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    console.info(
      `[multi-host] ${dropped.size} of ${clients.length} sockets were on host a; all back in ${Math.round(reconnectMs)} ms; ` +
        `acked ${acked.size} (${ackedAtKill} before the kill), in history ${history.length} (incl. the cross-host one), missing 0`,
    );
  });
});
