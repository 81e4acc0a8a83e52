// 20,000 authenticated Socket.IO clients held through nginx for 60 s: how many stay connected with
// live heartbeats, and what each costs the messaging processes in memory. The baseline is the
// same clients, through the same gateway, against bare Socket.IO servers in the messaging
// instances' place.
import type { ChildProcess } from 'node:child_process';
import { serviceRegistry } from '@flux/shared/registry';
import { freePort, nginxLimitsFromEnv, startServiceProcess, stopProcess } from '../../packages/cli/src/stack/index.js';
import { startBareSocketIo } from '../lib/bare-socketio.js';
import { colleagues } from '../lib/messaging.js';
import { openFiles, rssBytes, startGateway } from '../lib/private-gateway.js';
import { atLeast, atMost, type BenchContext, type Figures, type Scenario, type ScenarioResult } from '../lib/scenario.js';
import { ratioOf, round, sleep } from '../lib/stats.js';
import { SocketSwarm, loopbackAddresses } from '../lib/socket-swarm.js';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 20_000);
const HOLD_SECONDS = Number(process.env.BENCH_HOLD_SECONDS ?? 60);
/** Users, each with many sockets: a sign-up per socket would measure argon2, not connections. */
const USERS = 400;
/**
 * Two messaging instances (one per core): a process may open at most 20,000 files here, so one
 * instance could not hold 20,000 sockets besides its database and Redis connections.
 */
const INSTANCES = 2;
/** Client processes: 5,000 sockets each, well inside a process's file limit. */
const CLIENT_PROCESSES = 4;
/** Loopback source addresses: 2,000 clients each, so no address runs short of ports. */
const SOURCE_ADDRESSES = 10;
/** Socket.IO's defaults: a ping every 25 s, a dead peer noticed 20 s later. */
const PING_INTERVAL_MS = 25_000;
const PING_TIMEOUT_MS = 20_000;

const full = SOCKETS >= 20_000 && HOLD_SECONDS >= 60;
const perAddress = Math.ceil(SOCKETS / SOURCE_ADDRESSES);
/** Every cap per user and per address lifted past what the bench opens (the service defaults are 20 and 200). */
const serviceLimits = {
  MAX_SOCKETS_PER_USER: String(Math.ceil(SOCKETS / USERS) * 2),
  MAX_SOCKETS_PER_IP: String(perAddress * 2),
};
const gatewayLimits = nginxLimitsFromEnv({
  FLUX_NGINX_UPGRADE_RATE: '1000000',
  FLUX_NGINX_UPGRADE_BURST: '100000',
  FLUX_NGINX_UPGRADE_CONNECTIONS: String(perAddress * 2),
});

interface Upstream {
  pids: number[];
  addresses: string[];
  stop(): Promise<void>;
}
const rssOf = (upstream: Upstream) => upstream.pids.reduce((sum, pid) => sum + rssBytes(pid), 0);

async function run(ctx: BenchContext): Promise<ScenarioResult> {
  const stack = await ctx.stack();
  ctx.progress(`making ${USERS} users with access tokens`);
  const tokens = (await colleagues(USERS)).map((user) => user.accessToken);
  const messaging = serviceRegistry.find((s) => s.name === 'messaging');
  if (!messaging) throw new Error('no messaging service in the registry');

  const ours = async (): Promise<Upstream> => {
    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    const children: ChildProcess[] = [];
    try {
      for (const port of ports)
        children.push(
          await startServiceProcess(messaging, {
            ...stack.serviceEnv('messaging'),
            ...serviceLimits,
            PORT: String(port),
            // e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` or `--heapsnapshot-signal=SIGUSR2` to see where the time and memory go.
            ...(process.env.BENCH_SERVICE_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS }),
          }),
        );
    } catch (err) {
      await Promise.all(children.map((child) => stopProcess(child)));
      throw err;
    }
    return {
      pids: children.map((child) => child.pid ?? 0),
      addresses: ports.map((port) => `127.0.0.1:${port}`),
      stop: async () => {
        await Promise.all(children.map((child) => stopProcess(child)));
      },
    };
  };
  const bare = async (): Promise<Upstream> => {
    const servers = await Promise.all(Array.from({ length: INSTANCES }, () => startBareSocketIo()));
    return {
      pids: servers.map((s) => s.child.pid ?? 0),
      addresses: servers.map((s) => `127.0.0.1:${s.port}`),
      stop: async () => {
        await Promise.all(servers.map((s) => stopProcess(s.child)));
      },
    };
  };

  const holdThrough = async (name: string, upstream: Upstream, withTokens: boolean): Promise<Figures> => {
    const gateway = await startGateway(
      { auth: [`127.0.0.1:${stack.ports.auth}`], messaging: upstream.addresses, collab: [`127.0.0.1:${stack.ports.collab}`] },
      gatewayLimits,
    );
    let swarm: SocketSwarm | undefined;
    try {
      await sleep(1000);
      const rssBefore = rssOf(upstream);
      ctx.progress(`${name}: opening ${SOCKETS} sockets (server pids ${upstream.pids.join(', ')})`);
      const opened = await SocketSwarm.open({
        url: gateway.url,
        tokens: withTokens ? tokens : undefined,
        count: SOCKETS,
        processes: CLIENT_PROCESSES,
        localAddresses: loopbackAddresses(SOURCE_ADDRESSES),
        onProgress: (connected, failed) => ctx.progress(`${name}: ${connected} connected, ${failed} failed`),
      });
      swarm = opened;
      if (Object.keys(opened.errors).length > 0) ctx.progress(`${name}: connect errors ${JSON.stringify(opened.errors)}`);
      ctx.progress(`${name}: ${opened.connected} connected in ${opened.seconds.toFixed(1)} s; holding ${HOLD_SECONDS} s`);
      opened.hold();
      // The least RSS over the hold's last 10 s, sampled each second: one reading may catch the
      // heap just before a collection.
      let rssAfter = Number.POSITIVE_INFINITY;
      for (let elapsed = 0; elapsed < HOLD_SECONDS; elapsed++) {
        await sleep(1000);
        if (elapsed >= HOLD_SECONDS - 10) rssAfter = Math.min(rssAfter, rssOf(upstream));
        if ((elapsed + 1) % 10 === 0) ctx.progress(`${name}: holding, ${HOLD_SECONDS - elapsed - 1} s left`);
      }
      // Heartbeats flowing: every ping interval in the hold brought one, the last no older than Socket.IO tolerates.
      const health = await opened.health(Math.floor((HOLD_SECONDS * 1000) / PING_INTERVAL_MS), PING_INTERVAL_MS + PING_TIMEOUT_MS);
      const workerFiles = gateway.workerPids().map(openFiles);
      const nginxErrors = gateway.errors().filter((line) => /worker_connections|Too many open files|limiting connections/.test(line));
      if (nginxErrors.length > 0) ctx.progress(`${name}: nginx: ${nginxErrors.length} errors, first: ${nginxErrors[0]}`);
      ctx.progress(`${name}: ${health.healthy} healthy, ${health.disconnects} disconnects; nginx worker files ${workerFiles.join('/')}`);
      return {
        connected: opened.connected,
        connected_pct: round((100 * opened.connected) / SOCKETS),
        healthy_pct: round((100 * health.healthy) / SOCKETS),
        disconnects: health.disconnects,
        connects_per_s: round(opened.connected / opened.seconds),
        rss_before_mb: round(rssBefore / 2 ** 20),
        rss_after_mb: round(rssAfter / 2 ** 20),
        rss_kb_per_conn: round((rssAfter - rssBefore) / 1024 / Math.max(1, health.live)),
        nginx_worker_files_max: Math.max(0, ...workerFiles),
        nginx_errors: nginxErrors.length,
      };
    } finally {
      await swarm?.close();
      await gateway.stop();
    }
  };

  const measure = async (name: string, start: () => Promise<Upstream>, withTokens: boolean) => {
    const upstream = await start();
    try {
      return await holdThrough(name, upstream, withTokens);
    } finally {
      await upstream.stop();
    }
  };
  const oursFigures = await measure('ours', ours, true);
  const baselineFigures = await measure('bare socket.io', bare, false);
  return {
    ours: oursFigures,
    baseline: baselineFigures,
    ratio: ratioOf(oursFigures, baselineFigures),
    params: {
      sockets: SOCKETS,
      holdSeconds: HOLD_SECONDS,
      users: USERS,
      messagingInstances: INSTANCES,
      clientProcesses: CLIENT_PROCESSES,
      sourceAddresses: SOURCE_ADDRESSES,
      nginx: { workers: gatewayLimits.workers ?? 'host default', upgradeConnectionsPerAddress: gatewayLimits.upgradeConnections },
      serviceLimits,
    },
    goals: [
      // Only the full run counts: fewer sockets or a shorter hold is a trial.
      atLeast(
        `held ${HOLD_SECONDS} s with heartbeats, of ${SOCKETS} (goal: 20,000 for 60 s)`,
        full ? (oursFigures.healthy_pct ?? 0) : 0,
        99.9,
        ' %',
      ),
      atMost('messaging RSS per connection', oursFigures.rss_kb_per_conn ?? Number.NaN, 30, ' KB'),
    ],
  };
}

const scenario: Scenario = {
  name: 'connections',
  title: `${SOCKETS} authenticated Socket.IO clients held ${HOLD_SECONDS} s through nginx, against bare Socket.IO behind the same nginx`,
  inDefaultRun: true,
  run,
};
export default scenario;
