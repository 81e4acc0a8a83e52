// What the collab scenarios stand on: an owner with a project and documents (rows inserted
// directly: document creation is rate limited and not under test), and a private collab
// instance behind the project's nginx, started with the limits a bench needs lifted.
import type { ChildProcess } from 'node:child_process';
import { serviceRegistry } from '@flux/shared/registry';
import { freePort, nginxLimitsFromEnv, startServiceProcess, stopProcess } from '../../packages/cli/src/stack/index.js';
import { factories } from '../../services/auth/test/factories.js';
import { testDatabase } from '../../services/auth/test/helpers.js';
import type { Stack } from '../../test/e2e/stack.js';
import { type PrivateGateway, rssBytes, startGateway } from './private-gateway.js';

export interface CollabOwner {
  userId: string;
  token: string;
  projectId: string;
  /** `count` new empty documents in the project. */
  documents(count: number): Promise<string[]>;
  /** Runs SQL on the stack's database (the bench's own fixtures only). */
  sql: ReturnType<typeof testDatabase>['sql'];
  close(): Promise<void>;
}

export async function collabOwner(): Promise<CollabOwner> {
  const { db, sql } = testDatabase();
  const make = factories(db);
  const owner = await make.user('Bench Collab Owner');
  const project = await make.project(owner);
  return {
    userId: owner.id,
    token: owner.accessToken,
    projectId: project.id,
    sql,
    async documents(count) {
      const rows = await sql<Array<{ id: string }>>`
        insert into collab.documents (project_id, title, created_by)
        select ${project.id}, 'bench ' || n, ${owner.id} from generate_series(1, ${count}::int) n
        returning id`;
      return rows.map((r) => r.id);
    },
    close: async () => {
      await sql.end();
    },
  };
}

export interface PrivateCollab {
  /** ws:// base of the collab socket route through nginx, and direct. */
  gateway: string;
  direct: string;
  httpDirect: string;
  pid: number;
  /** nginx's worker processes in front of it */
  nginxWorkerPids(): number[];
  rss(): number;
  stop(): Promise<void>;
}

/**
 * One collab instance of the built service (as `./flux up` runs it) on a port of its own, with the
 * stack's auth, PostgreSQL and Redis, behind a private nginx with the project's config. Set
 * BENCH_COLLAB_NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) to profile it.
 */
export async function startPrivateCollab(
  stack: Stack,
  env: Record<string, string> = {},
  gatewayEnv: Record<string, string> = {},
): Promise<PrivateCollab> {
  const collab = serviceRegistry.find((s) => s.name === 'collab');
  if (!collab) throw new Error('no collab service in the registry');
  const port = await freePort();
  const child: ChildProcess = await startServiceProcess(collab, {
    ...stack.serviceEnv('collab'),
    // One owner opens every socket of a scenario: the per-user cap (20) out of the way.
    COLLAB_MAX_CONNECTIONS_PER_USER: '100000',
    ...(process.env.BENCH_COLLAB_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_COLLAB_NODE_OPTIONS }),
    ...env,
    PORT: String(port),
  });
  let gateway: PrivateGateway | undefined;
  try {
    gateway = await startGateway(
      {
        auth: [`127.0.0.1:${stack.ports.auth}`],
        messaging: [`127.0.0.1:${stack.ports.messaging}`],
        collab: [`127.0.0.1:${port}`],
      },
      nginxLimitsFromEnv({
        FLUX_NGINX_UPGRADE_RATE: '1000000',
        FLUX_NGINX_UPGRADE_BURST: '100000',
        FLUX_NGINX_UPGRADE_CONNECTIONS: '60000',
        ...gatewayEnv,
      }),
    );
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  const nginx = gateway;
  return {
    gateway: `${nginx.url.replace('http', 'ws')}/collab`,
    direct: `ws://127.0.0.1:${port}/collab`,
    httpDirect: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    nginxWorkerPids: () => nginx.workerPids(),
    rss: () => rssBytes(child.pid),
    stop: async () => {
      await nginx.stop();
      await stopProcess(child);
    },
  };
}

/** A number from a collab instance's Prometheus metrics (`http://host:port`; the first sample of `name`). */
export async function collabMetric(httpBase: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpBase}/metrics`)).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}
