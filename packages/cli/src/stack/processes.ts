import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ServiceEntry } from '@flux/shared/registry';
import { repoRoot } from '../paths.js';

/**
 * Starts one built service (`dist/server.js`) as a child process and resolves once it reports
 * `ready` over IPC (what PM2's wait_ready waits for); rejects when it exits first.
 */
export async function startServiceProcess(
  service: ServiceEntry,
  env: NodeJS.ProcessEnv,
  options: {
    root?: string;
    stdio?: 'inherit' | 'ignore';
    /** runs node under this command, which must exec it in place (e.g. `ip netns exec <ns>`), keeping the IPC channel */
    wrapper?: readonly string[];
  } = {},
): Promise<ChildProcess> {
  const stdio = options.stdio ?? 'inherit';
  const node = [process.execPath, '--enable-source-maps', ...(service.nodeArgs ?? []), join(options.root ?? repoRoot, service.script)];
  const [command = process.execPath, ...args] = [...(options.wrapper ?? []), ...node];
  const child = spawn(command, args, { env, stdio: ['ignore', stdio, stdio, 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m) => (m === 'ready' ? resolve() : undefined));
    child.once('exit', (code, signal) => reject(new Error(`${service.name} exited with ${code ?? signal} before it was ready`)));
  });
  return child;
}

/** Stops a child (SIGTERM drains; SIGKILL is a crash) and waits until it is gone. */
export async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** nginx in the foreground (a child of this process), for private stacks such as the e2e tests. */
export function spawnNginx(bin: string, prefix: string, conf: string): ChildProcess {
  return spawn(bin, ['-p', prefix, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
}
