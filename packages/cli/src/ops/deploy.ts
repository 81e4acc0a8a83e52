import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { type RegisteredService, serviceAddresses, serviceRegistry } from '@flux/shared/registry';
import { serviceSettings } from '../commands/up.js';
import type { Context } from '../context.js';
import { type NginxWriter, runChecks } from '../doctor/checks.js';
import { readEnv } from '../env.js';
import { run } from '../exec.js';
import { paths, repoRoot } from '../paths.js';
import { loadProductionSecrets } from '../secrets.js';
import { checkHealth } from '../stack/health.js';
import { testNginxConfig, writeNginxConfig } from '../stack/nginx.js';
import { freePort } from '../stack/ports.js';
import { spawnNginx, stopProcess } from '../stack/processes.js';
import { livePid } from '../steps.js';
import type { Ui } from '../ui.js';
import { backup } from './backup.js';
import type { OpsContext } from './command.js';
import { isReady, loadProbeTarget, type ProbeTarget, runProbe, setupProbe } from './probe.js';
import { createRelease, pruneReleases, type ReleaseInfo, readState, recordEvent, releasesDir } from './releases.js';

/**
 * `./flux deploy` and `./flux rollback` (design: packages/cli/DEPLOY.md). A release is started beside
 * the one serving, on the other port slot, proven directly (health, then the probe through a private
 * nginx), switched to by an nginx reload, proven again through the public nginx, and only then is the
 * old release stopped. Any failure undoes what was done so far and says which step failed and why.
 */

/** A copy of the services that PM2 runs: a release, or the checkout that `./flux up` started. */
interface Serving {
  /** release id, or `checkout` */
  id: string;
  /** the directory whose template and web build nginx uses */
  dir: string;
  /** PM2 app names */
  apps: string[];
  /** `<NAME>_PORT` and `FLUX_<NAME>_INSTANCES` of its slot */
  settings: Record<string, string>;
}

/** A failed step: its name and why, for `deploy failed at <step>: <why>`. */
class StepFailure extends Error {
  constructor(
    readonly step: string,
    readonly why: string,
  ) {
    super(`${step}: ${why}`);
  }

  /** set when the failure was undone by switchTo */
  rollbackMs?: number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export interface StepTiming {
  step: string;
  ms: number;
  ok: boolean;
}

export interface DeployResult {
  ok: boolean;
  release?: string;
  /** which step failed, and why */
  failed?: { step: string; why: string };
  /** what serves now */
  serving?: string;
  steps: StepTiming[];
  /** how long the automatic rollback took */
  rollbackMs?: number;
}

export interface DeployOptions {
  /** default HEAD: what the checkout has committed (`git pull` first, or name a branch, tag or sha) */
  ref?: string;
  /**
   * Skip the probe against the new release before the switch. Only for proving the rollback after
   * the switch (a test needs a release that passes health but fails the probe through nginx).
   */
  directProbe?: boolean;
}

/** Where things are and how to reach them; one per command run. */
class Deployer {
  readonly env;
  readonly ctx: Context;
  readonly steps: StepTiming[] = [];
  readonly pm2Home: string;
  readonly logs: string;
  private lockFile: string;
  private locked = false;

  constructor(readonly ops: OpsContext) {
    const rootPaths = paths(ops.root);
    // A stack started with `./flux up --production` is deployed as production too.
    const stack = join(rootPaths.state, 'stack.json');
    const production =
      ops.env.NODE_ENV === 'production' || (existsSync(stack) && JSON.parse(readFileSync(stack, 'utf8')).production === true);
    this.env = readEnv(production ? { ...ops.env, NODE_ENV: 'production' } : ops.env, rootPaths.state, { production });
    this.pm2Home = ops.env.PM2_HOME || rootPaths.pm2Home;
    this.logs = rootPaths.logs;
    this.lockFile = join(releasesDir(ops.root), 'deploy.lock');
    const say = (line: string) => ops.out(line);
    const ui: Ui = {
      step: (text) => say(`==> ${text}`),
      note: (text) => say(`    ${text}`),
      line: say,
      check: (level, name, detail, fix) =>
        say(`  ${level.padEnd(4)}  ${name.padEnd(26)} ${detail}${fix && level !== 'ok' ? ` (fix: ${fix})` : ''}`),
      error: (text, hint) => ops.err(`flux: ${text}${hint ? `\n      ${hint}` : ''}`),
    };
    this.ctx = { paths: { ...rootPaths, pm2Home: this.pm2Home }, env: this.env, ui };
  }

  note(text: string) {
    this.ops.out(`    ${text}`);
  }

  /** Runs one step with a `==> name` line before and its time after; a throw becomes a StepFailure. */
  async step<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.ops.out(`==> ${name}`);
    const t0 = performance.now();
    try {
      const result = await work();
      const ms = Math.round(performance.now() - t0);
      this.steps.push({ step: name, ms, ok: true });
      this.note(`${name}: done in ${seconds(ms)}`);
      return result;
    } catch (err) {
      this.steps.push({ step: name, ms: Math.round(performance.now() - t0), ok: false });
      throw err instanceof StepFailure ? err : new StepFailure(name, message(err));
    }
  }

  /** One deploy or rollback at a time: a second one would pick the same spare slot. */
  lock(): void {
    mkdirSync(releasesDir(this.ops.root), { recursive: true });
    try {
      closeSync(openSync(this.lockFile, 'wx'));
    } catch {
      const pid = Number(readFileSync(this.lockFile, 'utf8').trim());
      if (pid && livePid(this.lockFile) !== undefined)
        throw new StepFailure('lock', `another deploy or rollback runs (pid ${pid}); wait for it`);
    }
    writeFileSync(this.lockFile, `${process.pid}\n`);
    this.locked = true;
  }

  unlock(): void {
    if (this.locked) rmSync(this.lockFile, { force: true });
  }

  /** The slot the serving copy does not use. */
  spareSlot(old: Serving | undefined): Record<string, string> {
    return this.slotSettings(old && old.settings.AUTH_PORT === this.slotSettings(0).AUTH_PORT ? 1 : 0);
  }

  /** messaging's uploads, one folder for every release. */
  filesDir(): string {
    const dir = this.ops.env.FILES_DIR || '.flux/files';
    return dir.startsWith('/') ? dir : join(this.ops.root, dir);
  }

  pm2(args: string[], env: NodeJS.ProcessEnv = {}) {
    return run(process.execPath, [join(repoRoot, 'node_modules/pm2/bin/pm2'), ...args], {
      cwd: this.ops.root,
      env: { ...process.env, ...this.ops.env, ...env, PM2_HOME: this.pm2Home, FLUX_NODE: process.execPath },
    });
  }

  /**
   * Deletes PM2 apps (SIGINT: each service drains for up to 10 s) and waits until they stay gone:
   * PM2 relaunches an app deleted during its restart back-off (a process that crashed at start),
   * so it is deleted again until it has stayed absent for longer than the longest back-off seen
   * (`exp_backoff_restart_delay` grows by half at each crash, up to 15 s; a slow machine crashes
   * an app more often before the deploy gives up on it) plus a second.
   */
  async deleteApps(names: string[]): Promise<void> {
    const present = async () => (await this.pm2List()).filter((p) => names.includes(p.name));
    let quietMs = 1_000;
    for (let attempt = 0; attempt < 20; attempt++) {
      const left = await present();
      for (const p of left) quietMs = Math.max(quietMs, (p.pm2_env?.prev_restart_delay ?? 0) + 1_000);
      if (left.length === 0) {
        await new Promise((r) => setTimeout(r, quietMs));
        if ((await present()).length === 0) return;
        continue;
      }
      for (const name of new Set(left.map((p) => p.name))) await this.pm2(['delete', name]);
    }
    throw new Error(`PM2 did not delete ${names.join(', ')}`);
  }

  async pm2List(): Promise<Pm2Process[]> {
    const result = await this.pm2(['jlist']);
    const line = result.stdout.split('\n').find((l) => l.startsWith('['));
    return line ? (JSON.parse(line) as Pm2Process[]) : [];
  }

  /** The base slot (`<NAME>_PORT`, else the registry) or the same ports + FLUX_DEPLOY_PORT_OFFSET (10000). */
  slotSettings(slot: 0 | 1): Record<string, string> {
    const offset = slot === 0 ? 0 : Number(this.ops.env.FLUX_DEPLOY_PORT_OFFSET || 10_000);
    const settings: Record<string, string> = {};
    for (const service of serviceRegistry) {
      const name = service.name.toUpperCase();
      const first = Number(this.ops.env[`${name}_PORT`] || service.port);
      settings[`${name}_PORT`] = String(first + offset);
      settings[`FLUX_${name}_INSTANCES`] = this.ops.env[`FLUX_${name}_INSTANCES`] || '1';
    }
    return settings;
  }

  /** What PM2 runs now: the current release (`auth@<id>` …), else `./flux up`'s checkout apps. */
  async serving(): Promise<Serving | undefined> {
    const list = await this.pm2List();
    const state = readState(this.ops.root);
    const pick = (suffix: string) => list.filter((p) => serviceRegistry.some((s) => p.name === `${s.name}${suffix}`));
    const apps = state.current ? pick(`@${state.current}`) : [];
    const found = apps.length > 0 ? { id: state.current ?? '', dir: join(releasesDir(this.ops.root), state.current ?? '') } : undefined;
    const checkout = pick('');
    const chosen = found
      ? { ...found, procs: apps }
      : checkout.length > 0
        ? { id: 'checkout', dir: this.ops.root, procs: checkout }
        : undefined;
    if (!chosen) return undefined;
    const authPort = Number(chosen.procs.find((p) => p.name.startsWith('auth'))?.pm2_env?.PORT ?? 0);
    const slot = String(authPort) === this.slotSettings(1).AUTH_PORT ? 1 : 0;
    return { id: chosen.id, dir: chosen.dir, apps: [...new Set(chosen.procs.map((p) => p.name))], settings: this.slotSettings(slot) };
  }
}

interface Pm2Process {
  name: string;
  pm2_env?: {
    status?: string;
    restart_time?: number;
    exit_code?: number;
    PORT?: string;
    pm_err_log_path?: string;
    /** The back-off before its next restart, once it has crashed (exp_backoff_restart_delay). */
    prev_restart_delay?: number;
  };
}

const upstreamsOf = (settings: Record<string, string>) =>
  Object.fromEntries(serviceRegistry.map((s) => [s.name, serviceAddresses(s, settings)])) as Record<RegisteredService, string[]>;

/**
 * The nginx renderer of a release: its own built code for its own template (the CLI running the
 * deploy may be newer or older than the release, and a template only fits the renderer it came
 * with). It runs in a child process, so the release's code resolves its own packages.
 */
function rendererOf(d: Deployer, dir: string): NginxWriter {
  const built = join(dir, 'packages/cli/dist/stack/nginx.js');
  if (dir === d.ops.root || !existsSync(built)) return writeNginxConfig;
  return async (options) => {
    const script =
      'const { writeNginxConfig } = await import(process.argv[1]); process.stdout.write(writeNginxConfig(JSON.parse(process.argv[2])));';
    const result = await run(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(built).href, JSON.stringify(options)]);
    if (result.code !== 0)
      throw new Error(`the release's nginx renderer failed: ${result.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
    return result.stdout;
  };
}

const tail = (file: string | undefined, lines = 8) =>
  file && existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join(' | ') : '';

/** What the new release's processes get: the deploying checkout's settings and shared state as absolute paths. */
async function releaseEnv(d: Deployer, settings: Record<string, string>): Promise<NodeJS.ProcessEnv> {
  const secrets = d.env.production ? loadProductionSecrets(d.env.productionSecretsFile) : undefined;
  const env = await serviceSettings(d.ctx, secrets);
  return {
    ...env,
    ...settings,
    // Every release shares one secrets file and one uploads folder (a relative path would resolve
    // inside each release directory and split them).
    ...(secrets ? {} : { FLUX_SECRETS_FILE: d.env.devSecretsFile }),
    FILES_DIR: d.filesDir(),
    AUTH_URL: `http://127.0.0.1:${settings.AUTH_PORT}`,
  };
}

/** Starts a release's apps under PM2 on `settings`' ports; resolves once every instance answers /health. */
async function startRelease(d: Deployer, release: { id: string; dir: string }, settings: Record<string, string>): Promise<void> {
  const require = createRequire(import.meta.url);
  const { serviceApps } = require(join(repoRoot, 'ecosystem.config.cjs')) as {
    serviceApps: (o: { root: string; env: NodeJS.ProcessEnv; suffix: string; logs: string }) => { name: string }[];
  };
  const apps = serviceApps({ root: release.dir, env: await releaseEnv(d, settings), suffix: `@${release.id}`, logs: d.logs });
  const file = join(release.dir, '.flux-pm2.json');
  // It holds the services' settings (production secrets too): readable by the owner only.
  writeFileSync(file, `${JSON.stringify({ apps }, null, 2)}\n`, { mode: 0o600 });
  const names = apps.map((a) => a.name);
  // Apps left by an earlier failed attempt at the same release would hold the ports.
  await d.deleteApps(names);
  const started = await d.pm2(['start', file]);
  if (started.code !== 0)
    throw new Error(`pm2 start failed: ${(started.stderr || started.stdout).trim().split('\n').slice(-5).join(' | ')}`);
  const deadline = Date.now() + 40_000;
  const addresses = serviceRegistry.flatMap((s) => serviceAddresses(s, settings).map((a) => ({ service: s, address: a })));
  for (;;) {
    // A process that exits before it is healthy is restarted by PM2: any restart fails the step.
    for (const p of (await d.pm2List()).filter((p) => names.includes(p.name))) {
      const status = p.pm2_env?.status;
      if ((p.pm2_env?.restart_time ?? 0) > 0 || status === 'errored' || status === 'stopped')
        throw new Error(
          `${p.name} exited before it was ready (exit code ${p.pm2_env?.exit_code ?? '?'}): ${tail(p.pm2_env?.pm_err_log_path) || 'nothing on stderr'}`,
        );
    }
    const health = await Promise.all(
      addresses.map(async ({ service, address }) => ({
        address,
        ok: (await checkHealth(`http://${address}`, [service.healthPath]))[0]?.status === 200,
      })),
    );
    if (health.every((h) => h.ok)) return;
    if (Date.now() > deadline)
      throw new Error(
        `not healthy within 40 s: ${health
          .filter((h) => !h.ok)
          .map((h) => h.address)
          .join(', ')}`,
      );
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The public gateway's config for a release (its template and web build) on `settings`' ports; then reload (or start). */
async function pointNginx(d: Deployer, dir: string, settings: Record<string, string>): Promise<void> {
  const prefix = d.ctx.paths.nginxPrefix;
  const conf = await rendererOf(
    d,
    dir,
  )({
    prefix,
    port: d.env.httpPort,
    address: d.env.httpAddress,
    tls: d.env.tls,
    production: d.env.production,
    upstreams: upstreamsOf(settings),
    maxBody: d.env.raw.FLUX_MAX_BODY,
    root: dir,
  });
  const test = await testNginxConfig(d.env.nginxBin, prefix, conf);
  if (!test.ok) throw new Error(`nginx -t refused the config: ${test.output}`);
  const master = livePid(join(prefix, 'nginx.pid'));
  const running = master !== undefined;
  const before = running ? acceptingWorkers(master) : [];
  // A reload starts new workers with the new upstreams; the old ones finish their requests first.
  const result = await run(d.env.nginxBin, ['-p', prefix, '-c', conf, ...(running ? ['-s', 'reload'] : [])]);
  if (result.code !== 0) throw new Error(`nginx ${running ? 'reload' : 'start'} failed: ${result.stderr.trim()}`);
  // `-s reload` only signals the master: until the old workers stop accepting, a new connection
  // (the probe's) can still reach the old release. Wait for that (bounded), so the switch is real.
  const deadline = Date.now() + 10_000;
  while (running && before.some((pid) => acceptingWorkers(master).includes(pid))) {
    if (Date.now() > deadline) throw new Error(`nginx workers ${before.join(', ')} still accept connections 10 s after the reload`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The master's worker processes that still accept connections (not "worker process is shutting down"). */
function acceptingWorkers(master: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== master) continue;
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (title.includes('worker process') && !title.includes('shutting down')) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** The probe accounts for the public URL; set up once (through `url`) when there are none. */
async function probeTarget(d: Deployer, url: string): Promise<ProbeTarget> {
  const file = d.ops.env.FLUX_PROBE_FILE || join(d.ops.root, '.flux/probe.json');
  const target = loadProbeTarget(file, d.env.publicUrl);
  if (isReady(target)) return target;
  d.note(`no probe accounts for ${d.env.publicUrl} yet: setting them up`);
  return setupProbe(url, { file, saveAs: d.env.publicUrl, log: (line) => d.note(line) });
}

async function probe(d: Deployer, url: string, target: ProbeTarget): Promise<void> {
  const report = await runProbe(url, target, { timeoutMs: 10_000 });
  const failed = report.steps.find((s) => !s.ok && !s.skipped);
  if (failed) throw new Error(`probe failed at "${failed.name}": ${failed.error}`);
  d.note(`probe ok in ${report.totalMs} ms (${report.steps.map((s) => `${s.name} ${s.ms} ms`).join(', ')})`);
}

/**
 * Starts `release` beside `old`, proves it, switches nginx, proves it again and stops `old`.
 * On a failure it undoes its own work (nginx back to `old`, the new apps deleted) and rethrows.
 */
async function switchTo(
  d: Deployer,
  release: { id: string; dir: string },
  old: Serving | undefined,
  settings: Record<string, string>,
  options: { directProbe: boolean },
): Promise<void> {
  let started: string[] = [];
  let switched = false;
  let privateNginx: ChildProcess | undefined;
  let privatePrefix: string | undefined;
  try {
    await d.step(`start ${release.id} beside ${old?.id ?? 'nothing'} (auth on :${settings.AUTH_PORT})`, async () => {
      started = serviceRegistry.map((s) => `${s.name}@${release.id}`);
      await startRelease(d, release, settings);
    });
    const target = await d.step('health and probe, direct', async () => {
      const port = await freePort();
      privatePrefix = join(d.ctx.paths.state, `deploy-nginx-${release.id}`);
      const conf = await rendererOf(d, release.dir)({ prefix: privatePrefix, port, upstreams: upstreamsOf(settings), root: release.dir });
      privateNginx = spawnNginx(d.env.nginxBin, privatePrefix, conf);
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 10_000;
      while ((await checkHealth(url)).some((h) => h.status !== 200)) {
        if (Date.now() > deadline) throw new Error(`health through the private nginx: ${JSON.stringify(await checkHealth(url))}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const target = await probeTarget(d, url);
      if (options.directProbe) await probe(d, url, target);
      else d.note('direct probe skipped (--no-direct-probe)');
      return target;
    });
    await stopProcess(privateNginx, 'SIGQUIT');
    await d.step('switch nginx (reload)', async () => {
      switched = true;
      await pointNginx(d, release.dir, settings);
    });
    await d.step('probe through nginx', () => probe(d, d.env.publicUrl, target));
  } catch (err) {
    await stopProcess(privateNginx, 'SIGQUIT');
    const t0 = performance.now();
    d.ops.out(`==> rolling back to ${old?.id ?? 'nothing'}`);
    if (switched && old) await pointNginx(d, old.dir, old.settings).catch((e) => d.note(`nginx back to ${old.id} failed: ${message(e)}`));
    await d.deleteApps(started).catch((e) => d.note(message(e)));
    const rollbackMs = Math.round(performance.now() - t0);
    d.note(`rolled back in ${seconds(rollbackMs)}`);
    if (err instanceof StepFailure) err.rollbackMs = rollbackMs;
    throw err;
  } finally {
    if (privatePrefix) rmSync(privatePrefix, { recursive: true, force: true });
  }
  if (old)
    await d.step(`stop ${old.id} (drain)`, async () => {
      // SIGINT: each service stops accepting, lets requests finish and closes its sockets (≤ 10 s);
      // Socket.IO and collab clients reconnect through nginx to the new release.
      await d.deleteApps(old.apps);
    });
}

function report(d: Deployer, result: DeployResult, what: string): DeployResult {
  if (result.ok) {
    d.ops.out(`==> ${what} ${result.release} done: ${d.steps.map((s) => `${s.step.split(' ')[0]} ${seconds(s.ms)}`).join(', ')}`);
  } else if (result.failed) {
    d.ops.err(
      `flux: ${what} failed at ${result.failed.step}: ${result.failed.why}\n      rolled back: ${result.serving ?? 'nothing'} serves; ` +
        'next: fix the cause (logs in .flux/logs), commit, deploy again',
    );
  }
  return result;
}

/** `./flux deploy [ref]`: build, doctor, backup, migrate, then switchTo. */
export async function deploy(ops: OpsContext, options: DeployOptions = {}): Promise<DeployResult> {
  const d = new Deployer(ops);
  let release: (ReleaseInfo & { dir: string }) | undefined;
  let old: Serving | undefined;
  try {
    d.lock();
    old = await d.serving();
    release = await d.step('release directory', () => createRelease(ops.root, options.ref ?? 'HEAD'));
    const { id, dir } = release;
    d.note(`${id} (${release.commit.slice(0, 12)}) in ${dir}; serving now: ${old?.id ?? 'nothing'}`);
    mkdirSync(d.logs, { recursive: true });
    const log = join(d.logs, `deploy-${id}.log`);
    await d.step('install and build', async () => {
      // One turbo cache for every release: a package that did not change is not rebuilt. The
      // release lies inside the checkout, whose git ignores .flux/: turbo must not find that
      // repository (it would hash no file at all and reuse the first release's build for every
      // commit), so git stops looking at the releases folder and turbo hashes the files themselves.
      const env = {
        ...process.env,
        GIT_CEILING_DIRECTORIES: releasesDir(ops.root),
        TURBO_TELEMETRY_DISABLED: '1',
        TURBO_NO_UPDATE_NOTIFIER: '1',
        DO_NOT_TRACK: '1',
      };
      for (const [file, args] of [
        ['pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=append-only']],
        [
          join(dir, 'node_modules/.bin/turbo'),
          ['run', 'build', '--output-logs=errors-only', `--cache-dir=${join(d.ctx.paths.state, 'turbo-cache')}`],
        ],
      ] as const) {
        const result = await run(file, args, { cwd: dir, env });
        writeFileSync(log, `$ ${file} ${args.join(' ')}\n${result.stdout}${result.stderr}\n`, { flag: 'a' });
        if (result.code !== 0)
          throw new Error(
            `${file.split('/').pop()} ${args[0]} exited ${result.code}: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')} (log: ${log})`,
          );
      }
    });
    const settings = d.spareSlot(old);
    await d.step('doctor on the release', async () => {
      // The release's files, and the spare slot's ports (they must be free).
      const releaseCtx: Context = {
        ...d.ctx,
        paths: { ...d.ctx.paths, root: dir, infra: join(dir, 'infra') },
        env: { ...d.env, raw: { ...d.env.raw, ...settings } },
      };
      const results = await runChecks(releaseCtx, { writeNginxConfig: rendererOf(d, dir) });
      for (const r of results.filter((r) => r.level !== 'ok')) d.ctx.ui.check(r.level, r.name, r.detail, r.fix);
      const failed = results.filter((r) => r.level === 'fail');
      d.note(`${results.length - failed.length} checks passed or warned, ${failed.length} failed`);
      if (failed.length > 0) throw new Error(failed.map((r) => `${r.name}: ${r.detail}`).join('; '));
    });
    // Production's URL carries the services' password (serviceSettings ensures the role).
    const databaseUrl = (await releaseEnv(d, {})).DATABASE_URL ?? d.env.databaseUrl;
    await d.step('backup', async () => {
      try {
        const result = await backup({
          root: dir,
          databaseUrl,
          filesDir: d.filesDir(),
          dir: join(d.ctx.paths.state, 'backups'),
        });
        d.note(result.archive);
      } catch (err) {
        // The very first deploy meets no database yet: nothing to lose.
        if (!/does not exist/.test(message(err))) throw err;
        d.note(`nothing to back up: ${message(err)}`);
      }
    });
    await d.step('migrate (expand only: the serving release keeps running on it)', async () => {
      const result = await run(process.execPath, [join(dir, 'migrations/dist/cli.js'), '--create-database'], {
        env: { ...process.env, DATABASE_URL: databaseUrl },
      });
      for (const line of result.stdout.trim().split('\n').filter(Boolean)) d.note(line.trim());
      if (result.code !== 0) throw new Error(result.stderr.trim() || `exited ${result.code}`);
    });
    await switchTo(d, release, old, settings, { directProbe: options.directProbe ?? true });
    recordEvent(ops.root, { release: id, event: 'deployed' }, { current: id, previous: old && old.id !== 'checkout' ? old.id : null });
    const pruned = pruneReleases(ops.root);
    if (pruned.length) d.note(`pruned releases ${pruned.join(', ')}`);
    return report(d, { ok: true, release: id, serving: id, steps: d.steps }, 'deploy');
  } catch (err) {
    const failure = err instanceof StepFailure ? err : new StepFailure('deploy', message(err));
    // Nothing ran from a release that failed before starting: its directory goes.
    if (release && !d.steps.some((s) => s.step.startsWith('start '))) rmSync(release.dir, { recursive: true, force: true });
    if (release) recordEvent(ops.root, { release: release.id, event: 'failed', reason: `${failure.step}: ${failure.why}` });
    const { step, why, rollbackMs } = failure;
    return report(d, { ok: false, release: release?.id, failed: { step, why }, serving: old?.id, steps: d.steps, rollbackMs }, 'deploy');
  } finally {
    d.unlock();
  }
}

/** `./flux rollback`: the previous release (already built, nothing migrated back) goes through switchTo. */
export async function rollback(ops: OpsContext): Promise<DeployResult> {
  const d = new Deployer(ops);
  let old: Serving | undefined;
  try {
    d.lock();
    const state = readState(ops.root);
    const previous = state.previous;
    const dir = previous ? join(releasesDir(ops.root), previous) : '';
    if (!previous || !existsSync(join(dir, 'RELEASE.json')))
      throw new StepFailure('rollback', `no previous release to go back to${previous ? ` (${previous} is gone)` : ''}`);
    old = await d.serving();
    d.note(`going back from ${old?.id ?? 'nothing'} to ${previous}`);
    await switchTo(d, { id: previous, dir }, old, d.spareSlot(old), { directProbe: true });
    recordEvent(
      ops.root,
      { release: previous, event: 'rolled-back' },
      { current: previous, previous: old && old.id !== 'checkout' ? old.id : null },
    );
    return report(d, { ok: true, release: previous, serving: previous, steps: d.steps }, 'rollback to');
  } catch (err) {
    const failure = err instanceof StepFailure ? err : new StepFailure('rollback', message(err));
    return report(d, { ok: false, failed: { step: failure.step, why: failure.why }, serving: old?.id, steps: d.steps }, 'rollback');
  } finally {
    d.unlock();
  }
}
