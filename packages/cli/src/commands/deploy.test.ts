import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { eventually } from '../../../../test/support/eventually.js';
import type { DeployResult } from '../ops/deploy.js';
import { loadProbeTarget, type ProbeTarget, runProbe } from '../ops/probe.js';
import { readState } from '../ops/releases.js';
import { repoRoot } from '../paths.js';
import { freePort, isListening } from '../stack/ports.js';
import { deployCommand, rollbackCommand } from './deploy.js';

/**
 * `./flux deploy` end to end on this machine: a temporary git clone of the repository with its own
 * PM2 (PM2_HOME in the clone's .flux), nginx (the clone's .flux/nginx on a free port), ports, database
 * (flux_deploy_<random>, dropped afterwards) and Redis prefix. Every deploy really builds its release
 * (pnpm install from the shared store, turbo with the clone's shared cache: the first build is full,
 * later ones rebuild only the package a commit changed), so the broken releases are real commits.
 */
const tag = Math.random().toString(36).slice(2, 8);
const database = `flux_deploy_${tag}`;
const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const OFFSET = 1000;

describe('flux deploy', () => {
  const root = mkdtempSync(join(tmpdir(), 'flux-deploy-'));
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
  let env: NodeJS.ProcessEnv;
  let url: string;
  let target: ProbeTarget;
  const pm2 = (...args: string[]) =>
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/pm2/bin/pm2'), ...args], {
      env: { ...process.env, PM2_HOME: join(root, '.flux/pm2') },
      encoding: 'utf8',
    });
  const apps = () =>
    (
      JSON.parse(
        pm2('jlist')
          .split('\n')
          .find((l) => l.startsWith('[')) ?? '[]',
      ) as { name: string }[]
    ).map((p) => p.name);

  const deploy = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await deployCommand([...argv, '--json'], { root, env, out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, result: JSON.parse(out.join('\n')) as DeployResult, log: err.join('\n') };
  };

  /** A commit on its own branch of the clone, made by `change` (which must really change a file). */
  const branch = (name: string, file: string, change: (text: string) => string) => {
    git('checkout', '-q', '-b', name, 'main');
    const before = readFileSync(join(root, file), 'utf8');
    const after = change(before);
    expect(after).not.toBe(before);
    writeFileSync(join(root, file), after);
    git('commit', '-q', '-am', name);
    git('checkout', '-q', 'main');
  };

  /** A port p where p + OFFSET is free too (the second slot). */
  const slotPort = async (): Promise<number> => {
    for (;;) {
      const port = await freePort();
      if (port + OFFSET < 65_000 && !(await isListening('127.0.0.1', port + OFFSET))) return port;
    }
  };

  beforeAll(async () => {
    git('clone', '-q', repoRoot, root);
    git('config', 'user.email', 'ops@test.flux.local');
    git('config', 'user.name', 'ops');
    // main's newest commit may not build while other engineers are half-way through a change (the
    // deploy then rightly stops at "install and build"); DEPLOY_TEST_REF pins a commit that builds.
    git('checkout', '-q', '-B', 'main', process.env.DEPLOY_TEST_REF ?? 'HEAD');
    const gateway = await freePort();
    url = `http://127.0.0.1:${gateway}`;
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `flux-deploy-${tag}:`,
      FLUX_HTTP_PORT: String(gateway),
      PUBLIC_URL: url,
      AUTH_PORT: String(await slotPort()),
      MESSAGING_PORT: String(await slotPort()),
      COLLAB_PORT: String(await slotPort()),
      FLUX_DEPLOY_PORT_OFFSET: String(OFFSET),
      LOG_LEVEL: 'warn',
    };
    // The first release: nothing serves yet; this build fills the turbo cache for the others.
    const first = await deploy('HEAD');
    if (!first.result.ok) throw new Error(`first deploy failed:\n${first.log}`);
    const found = loadProbeTarget(join(root, '.flux/probe.json'), url);
    if (!found || 'pending' in found) throw new Error('the first deploy set up no probe accounts');
    target = found;
  }, 600_000);

  afterAll(async () => {
    try {
      pm2('kill');
    } catch {}
    try {
      execFileSync('/usr/sbin/nginx', ['-p', join(root, '.flux/nginx'), '-c', join(root, '.flux/nginx/nginx.conf'), '-s', 'quit']);
    } catch {}
    const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await sql.unsafe(`drop database if exists ${database} with (force)`);
    await sql.end();
    const redis = new Redis('redis://127.0.0.1:6379');
    for await (const keys of redis.scanStream({ match: `flux-deploy-${tag}:*`, count: 500 }) as AsyncIterable<string[]>)
      if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(root, { recursive: true, force: true });
  }, 180_000);

  const signIn = async (account: { email: string; password: string }) => {
    const response = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: account.email, password: account.password }),
    });
    return ((await response.json()) as { accessToken: string }).accessToken;
  };

  it('deploys a new release under load with no failed request; Socket.IO and collab clients reconnect and deliver again', async () => {
    const before = readState(root).current;
    const [tokenA, tokenB] = [await signIn(target.a), await signIn(target.b)];
    const connects = { a: 0, b: 0 };
    const socket = (token: string, who: 'a' | 'b'): Socket => {
      const s = io(url, { path: '/socket.io/', transports: ['websocket'], auth: { token }, reconnectionDelay: 200 });
      s.on('connect', () => connects[who]++);
      return s;
    };
    const socketA = socket(tokenA, 'a');
    const socketB = socket(tokenB, 'b');
    await eventually(() => connects.a === 1 && connects.b === 1, { what: 'sockets connected' });
    const collabConnects = { a: 0, b: 0 };
    const provider = (token: string, who: 'a' | 'b') => {
      const p = new WebsocketProvider(`${url.replace(/^http/, 'ws')}/collab`, target.documentId, new Y.Doc(), {
        WebSocketPolyfill: WebSocket as never,
        disableBc: true,
        params: { token },
      });
      p.on('status', ({ status }: { status: string }) => {
        if (status === 'connected') collabConnects[who]++;
      });
      return p;
    };
    const docA = provider(tokenA, 'a');
    const docB = provider(tokenB, 'b');
    await eventually(() => docA.synced && docB.synced, { what: 'collab providers synced' });

    // A bounded light load through nginx: 20 requests a second over the three services and an
    // authenticated route, until the deploy ends (at most 5 minutes).
    const load = { sent: 0, failed: [] as string[], stop: false };
    const paths = ['/api/auth/health', '/api/messages/health', '/collab/health', `/api/conversations/${target.conversationId}/messages`];
    const loop = (async () => {
      const inFlight = new Set<Promise<void>>();
      for (let i = 0; !load.stop && i < 20 * 300; i++) {
        const path = paths[i % paths.length] ?? '/';
        load.sent++;
        const request = fetch(url + path, { headers: { authorization: `Bearer ${tokenA}` } })
          .then(async (r) => {
            await r.arrayBuffer();
            if (r.status !== 200) load.failed.push(`${path}: ${r.status}`);
          })
          .catch((err: Error) => {
            load.failed.push(`${path}: ${err.message} ${(err.cause as Error | undefined)?.message ?? ''}`);
          })
          .finally(() => inFlight.delete(request));
        inFlight.add(request);
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all(inFlight);
    })();

    const { code, result, log } = await deploy('HEAD');
    load.stop = true;
    await loop;
    console.log(`deploy under load: ${JSON.stringify(result.steps)}; requests sent ${load.sent}, failed ${load.failed.length}`);
    expect(result.ok, log).toBe(true);
    expect(code).toBe(0);
    expect(readState(root).current).toBe(result.release);
    expect(readState(root).previous).toBe(before);
    expect(load.sent).toBeGreaterThan(100);
    expect(load.failed).toEqual([]);
    // The old release is gone: only the new one's apps run.
    expect(apps().sort()).toEqual([`auth@${result.release}`, `collab@${result.release}`, `messaging@${result.release}`]);

    // Stopping the old messaging closed the sockets; they reconnected (to the new release) and work.
    await eventually(() => connects.a >= 2 && connects.b >= 2 && socketA.connected && socketB.connected, {
      what: 'sockets reconnected',
      timeout: 20_000,
    });
    const clientId = `deploy-${tag}`;
    const received = new Promise<void>((resolve) =>
      socketB.on('message:new', (m: { clientId?: string }) => m.clientId === clientId && resolve()),
    );
    const ack = await socketA.emitWithAck('message:send', { conversationId: target.conversationId, content: 'after the deploy', clientId });
    expect(ack.ok).toBe(true);
    await received;
    socketA.disconnect();
    socketB.disconnect();

    // The old collab closed its connections as it stopped; the providers reconnected, resynced, and edit again.
    await eventually(() => collabConnects.a >= 2 && collabConnects.b >= 2 && docA.synced && docB.synced, {
      what: 'collab providers reconnected',
      timeout: 20_000,
    });
    const marker = `after the deploy ${tag}`;
    docA.doc.getText('deploy').insert(0, marker);
    await eventually(() => docB.doc.getText('deploy').toString().includes(marker), { what: "B sees A's edit" });
    for (const p of [docA, docB]) {
      p.destroy();
      p.doc.destroy();
    }
  }, 400_000);

  it('rolls back by itself when a service of the new release exits at start, and says why', async () => {
    const serving = readState(root).current;
    branch('collab-exits', 'services/collab/src/server.ts', (text) => `if (Date.now() > 0) process.exit(1);\n${text}`);
    const { code, result, log } = await deploy('collab-exits');
    console.log(`collab exits at start: ${JSON.stringify(result.steps)}; rollback ${result.rollbackMs} ms; ${result.failed?.why}`);
    expect(code).toBe(1);
    expect(result.failed?.step).toMatch(/^start /);
    expect(result.failed?.why).toMatch(new RegExp(`collab@${result.release} exited before it was ready`));
    expect(log).toContain(`deploy failed at start ${result.release}`);
    expect(readState(root).current).toBe(serving);
    expect(readState(root).history.at(-1)).toMatchObject({ release: result.release, event: 'failed' });
    expect(apps().filter((name) => name.endsWith(`@${result.release}`))).toEqual([]);
    expect((await runProbe(url, target)).ok).toBe(true);
  }, 300_000);

  it('rolls back by itself when the probe through nginx fails after the switch', async () => {
    const serving = readState(root).current;
    const conf = () => readFileSync(join(root, '.flux/nginx/nginx.conf'), 'utf8');
    const servingConf = conf();
    // Health stays green, but a sent message never reaches the other members' sockets.
    branch('no-delivery', 'services/messaging/src/messages/service.ts', (text) =>
      text.replace("ctx.realtime.toConversation(conversationId, 'message:new', message);", ''),
    );
    // The direct probe would catch this before the switch; skipping it is what lets the switch happen.
    const { code, result, log } = await deploy('no-delivery', '--no-direct-probe');
    console.log(`no delivery: ${JSON.stringify(result.steps)}; rollback ${result.rollbackMs} ms; ${result.failed?.why}`);
    expect(code).toBe(1);
    expect(result.steps.map((s) => s.step)).toContain('switch nginx (reload)');
    expect(result.failed?.step).toBe('probe through nginx');
    expect(result.failed?.why).toContain('probe failed at "message send → receive"');
    expect(log).toContain('deploy failed at probe through nginx');
    expect(conf()).toBe(servingConf);
    expect(readState(root).current).toBe(serving);
    expect(apps().filter((name) => name.endsWith(`@${result.release}`))).toEqual([]);
    expect((await runProbe(url, target)).ok).toBe(true);
  }, 300_000);

  it('./flux rollback goes back to the previous release', async () => {
    const { current, previous } = readState(root);
    const out: string[] = [];
    const code = await rollbackCommand(['--json'], { root, env, out: (l) => out.push(l), err: () => {} });
    const result = JSON.parse(out.join('\n')) as DeployResult;
    console.log(`rollback: ${JSON.stringify(result.steps)}`);
    expect(code).toBe(0);
    expect(readState(root)).toMatchObject({ current: previous, previous: current });
    expect(apps().sort()).toEqual([`auth@${previous}`, `collab@${previous}`, `messaging@${previous}`]);
    expect((await runProbe(url, target)).ok).toBe(true);
  }, 120_000);
});
