// The project's nginx config (the same renderer as `./flux up`) in front of upstreams a scenario
// chooses: our instances, or a baseline server in their place, behind the very same gateway.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegisteredService } from '@flux/shared/registry';
import { freePort, type NginxLimits, spawnNginx, stopProcess, waitFor, writeNginxConfig } from '../../packages/cli/src/stack/index.js';

export interface PrivateGateway {
  url: string;
  /** nginx's worker processes (their pids), for reading their memory */
  workerPids(): number[];
  /** lines of nginx's error log (e.g. "worker_connections are not enough") */
  errors(): string[];
  stop(): Promise<void>;
}

export async function startGateway(upstreams: Record<RegisteredService, readonly string[]>, limits?: NginxLimits): Promise<PrivateGateway> {
  const port = await freePort();
  const prefix = mkdtempSync(join(tmpdir(), 'flux-bench-nginx-'));
  const conf = writeNginxConfig({ prefix, port, upstreams, limits });
  const nginx: ChildProcess = spawnNginx(process.env.NGINX_BIN ?? '/usr/sbin/nginx', prefix, conf);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('bench nginx', async () => (await fetch(`${url}/missing-page`)).status === 200);
  return {
    url,
    workerPids: () => childrenOf(nginx.pid ?? 0),
    errors: () => readFileSync(join(prefix, 'logs/error.log'), 'utf8').split('\n').filter(Boolean),
    async stop() {
      await stopProcess(nginx, 'SIGQUIT');
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** Direct children of a process (Linux /proc). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Resident memory of a process in bytes (Linux /proc; 0 once it is gone). */
export function rssBytes(pid: number | undefined): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Open files of a process (Linux /proc; 0 once it is gone). */
export function openFiles(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}
