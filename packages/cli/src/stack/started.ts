import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, run } from '../exec.js';

/**
 * What `./flux up` started itself, recorded as data in `.flux/started/<name>.json` (the bash
 * bootstrap writes postgres/redis records the same way) so `./flux down` stops exactly that,
 * with argument arrays — never shell text run as root.
 */
export type Started =
  /** a project cluster in dataDir, run by `user` (postgres when flux runs as root) */
  | { kind: 'postgres'; dataDir: string; bin: string; user?: string }
  /** the system cluster, started with pg_ctlcluster */
  | { kind: 'postgres-cluster'; version: string; cluster: string }
  | { kind: 'redis'; pidFile: string; port: number };

export function recordStarted(dir: string, name: string, record: Started): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(record)}\n`);
}

export function readStarted(dir: string): { name: string; record: Started }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.slice(0, -5), record: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Started }));
}

export const forgetStarted = (dir: string, name: string) => rmSync(join(dir, `${name}.json`), { force: true });

/** The program and arguments that stop a record, or a pid to signal. Pure, so tests can check it. */
export function stopPlan(record: Started, root = isRoot()): { file: string; args: string[] } | { pidFile: string; signal: NodeJS.Signals } {
  switch (record.kind) {
    case 'postgres': {
      const pgCtl = [join(record.bin, 'pg_ctl'), '-D', record.dataDir, '-m', 'fast', '-w', 'stop'];
      // initdb/pg_ctl refuse root: run as the cluster's owner through runuser (argv, no shell).
      if (root && record.user) return { file: 'runuser', args: ['-u', record.user, '--', ...pgCtl] };
      return { file: pgCtl[0] ?? 'pg_ctl', args: pgCtl.slice(1) };
    }
    case 'postgres-cluster':
      return { file: 'pg_ctlcluster', args: [record.version, record.cluster, 'stop'] };
    case 'redis':
      return { pidFile: record.pidFile, signal: 'SIGTERM' };
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops what a record describes; resolves with a problem to report, or undefined. */
export async function stopStarted(record: Started): Promise<string | undefined> {
  const plan = stopPlan(record);
  if ('file' in plan) {
    const result = await run(plan.file, plan.args);
    return result.code === 0 ? undefined : `${plan.file} ${plan.args.join(' ')} exited with ${result.code}: ${result.stderr.trim()}`;
  }
  if (!existsSync(plan.pidFile)) return undefined; // already stopped
  const pid = Number(readFileSync(plan.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return undefined;
  const comm = existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : '';
  if (comm && !comm.startsWith('redis')) return `pid ${pid} in ${plan.pidFile} is ${comm}, not redis; left running`;
  process.kill(pid, plan.signal);
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return alive(pid) ? `redis (pid ${pid}) did not stop within 10 s` : undefined;
}
