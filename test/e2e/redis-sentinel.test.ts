import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthTokens } from '@flux/shared';
import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { httpClient } from '../support/http.js';
import { freePort, startStack, type Stack } from './stack.js';

const MASTER_NAME = 'fluxmaster';

/** A redis-server (or, with `--sentinel`, a Sentinel) private to this file, stopped in afterAll. */
function redisProcess(args: string[]): ChildProcess {
  return spawn('redis-server', args, { stdio: 'ignore' });
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * The built services with REDIS_SENTINELS / REDIS_SENTINEL_NAME and a REDIS_URL whose host has no
 * Redis at all: they can only work by asking the Sentinel for the master.
 */
describe('Redis through Sentinel', () => {
  let dir: string;
  let master: ChildProcess | undefined;
  let replica: ChildProcess | undefined;
  let sentinel: ChildProcess | undefined;
  let masterPort: number;
  let replicaPort: number;
  let sentinelPort: number;
  let stack: Stack | undefined;
  let direct: Redis;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flux-sentinel-'));
    masterPort = await freePort();
    replicaPort = await freePort();
    sentinelPort = await freePort();
    const nowhere = await freePort(); // nothing listens here
    const redisArgs = (port: number) => ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir];
    master = redisProcess(redisArgs(masterPort));
    replica = redisProcess([...redisArgs(replicaPort), '--replicaof', '127.0.0.1', String(masterPort)]);
    // Sentinel rewrites its config file, so it gets its own writable one.
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 2000`,
      ].join('\n'),
    );
    sentinel = redisProcess([conf, '--sentinel']);
    await eventually(async () => (await masterNamed()) === masterPort, {
      what: 'the Sentinel knows the master',
      timeout: 10_000,
      interval: 100,
    });
    direct = new Redis(masterPort, '127.0.0.1', { maxRetriesPerRequest: 1 });
    stack = await startStack({
      REDIS_URL: `redis://127.0.0.1:${nowhere}`,
      REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`,
      REDIS_SENTINEL_NAME: MASTER_NAME,
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    direct?.disconnect();
    await stopProcess(sentinel);
    await stopProcess(replica);
    await stopProcess(master);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** One command to the Sentinel (a fresh connection: it may still be starting). */
  async function askSentinel(...args: string[]): Promise<unknown> {
    const probe = new Redis(sentinelPort, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {}); // refused while it starts: the caller retries
    try {
      await probe.connect();
      return await probe.call('SENTINEL', ...args);
    } finally {
      probe.disconnect();
    }
  }
  /** The port of the master the Sentinel names now, or undefined. */
  const masterNamed = async () => {
    const [, port] = ((await askSentinel('get-master-addr-by-name', MASTER_NAME).catch(() => [])) as string[]) ?? [];
    return port === undefined ? undefined : Number(port);
  };
  /** Connection names (CLIENT SETNAME) on one Redis server. */
  async function connectionNames(port: number): Promise<string[]> {
    const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      const list = (await redis.client('LIST')) as string;
      return [...list.matchAll(/ name=(\S*)/g)].map((match) => match[1] ?? '');
    } finally {
      redis.disconnect();
    }
  }

  it('every service connects to the master the Sentinel names: app.redis, events, BullMQ, the Socket.IO adapter and the collab relay', async () => {
    const names = await eventually(
      async () => {
        const seen = await connectionNames(masterPort);
        const wanted = ['flux-main', 'flux-events', 'flux-socket.io-adapter', 'flux-collab-relay'];
        return wanted.every((name) => seen.includes(name)) ? seen : false;
      },
      { what: 'the services’ named connections on the master', timeout: 15_000 },
    );
    // One main connection per service (auth, messaging, collab).
    expect(names.filter((name) => name === 'flux-main')).toHaveLength(3);
    // BullMQ's producers (auth maintenance, collab compaction, messaging notifications) came through createRedis too.
    expect(names).toEqual(expect.arrayContaining(['flux-auth-maintenance-producer', 'flux-notifications-producer']));
  });

  it('sign-up and a Socket.IO connection (its presence key) work over the Sentinel-discovered master', async () => {
    if (!stack) throw new Error('stack not started');
    const answer = await httpClient(stack.url).post<AuthTokens>('/api/auth/signup', {
      email: `sentinel-${randomUUID()}@test.flux.local`,
      password: `Flux-${randomUUID().slice(0, 8)}-correct-horse-battery`,
      name: 'Sentinel',
    });
    expect(answer.status).toBe(201);
    const socket = io(stack.url, {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: { token: answer.body.accessToken },
      forceNew: true,
      reconnection: false,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      // Presence is a Redis sorted set: it lands on the master the Sentinel named.
      const keys = await eventually(async () => {
        const found = await direct.keys(`*presence:${answer.body.user.id}`);
        return found.length > 0 ? found : false;
      });
      expect(keys).toHaveLength(1);
    } finally {
      socket.disconnect();
    }
  });

  it('after a Sentinel failover the services follow the new master and keep working', async () => {
    if (!stack) throw new Error('stack not started');
    await eventually(async () => ((await askSentinel('replicas', MASTER_NAME)) as unknown[]).length === 1, {
      what: 'the Sentinel knows the replica',
      timeout: 15_000,
    });
    await eventually(async () => (await askSentinel('failover', MASTER_NAME)) === 'OK', { what: 'failover accepted', timeout: 15_000 });
    await eventually(async () => (await masterNamed()) === replicaPort, { what: 'the replica promoted', timeout: 20_000 });
    // The Sentinel disconnects the old master's clients; each reconnects through the Sentinel, in its own time.
    const expected = ['flux-socket.io-adapter', 'flux-events', 'flux-collab-relay', 'flux-notifications-producer'];
    await eventually(
      async () => {
        const seen = await connectionNames(replicaPort);
        return seen.filter((name) => name === 'flux-main').length === 3 && expected.every((name) => seen.includes(name));
      },
      { what: 'the services’ connections on the new master', timeout: 20_000 },
    );
    const signup = await httpClient(stack.url).post<AuthTokens>('/api/auth/signup', {
      email: `failover-${randomUUID()}@test.flux.local`,
      password: `Flux-${randomUUID().slice(0, 8)}-correct-horse-battery`,
      name: 'After failover',
    });
    expect(signup.status).toBe(201);
  });
});
