import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from '@flux/migrations';
import { serviceRegistry } from '@flux/shared/registry';
import type { Context } from './context.js';
import { run } from './exec.js';
import { nginxLimitsFromEnv, testNginxConfig, upstreamsFromEnv, writeNginxConfig } from './stack/nginx.js';
import { pm2 } from './stack/pm2.js';
import { fail, redact } from './ui.js';

/** `turbo run build` (cached); the full log lands in .flux/logs/build.log. */
export async function build(ctx: Context, filter?: string): Promise<void> {
  ctx.ui.step('building (turbo; unchanged packages come from cache)');
  mkdirSync(ctx.paths.logs, { recursive: true });
  const log = join(ctx.paths.logs, 'build.log');
  const args = ['run', 'build', '--output-logs=errors-only', ...(filter ? [`--filter=${filter}`] : [])];
  const result = await run(join(ctx.paths.root, 'node_modules/.bin/turbo'), args, { cwd: ctx.paths.root });
  const output = result.stdout + result.stderr;
  writeFileSync(log, output);
  if (result.code !== 0) {
    for (const line of output.trimEnd().split('\n').slice(-40)) ctx.ui.note(line);
    fail('build failed (above)', 'full log: .flux/logs/build.log');
  }
  const summary = output
    .split('\n')
    .filter((l) => /Tasks:|Cached:/.test(l))
    .map((l) => l.trim().replace(/\s+/g, ' '));
  if (summary.length) ctx.ui.note(summary.join(' '));
}

export async function runMigrations(ctx: Context, databaseUrl: string, options: { reset?: boolean } = {}): Promise<void> {
  const { dropDatabase } = await import('@flux/migrations');
  ctx.ui.step(`migrating ${redact(databaseUrl)}${options.reset ? ' (fresh)' : ''}`);
  const log = (m: string) => ctx.ui.note(m);
  try {
    if (options.reset) await dropDatabase(databaseUrl, log);
    const applied = await migrate(databaseUrl, { createDatabase: true, log });
    log(applied.length ? `${applied.length} migrations applied` : 'migrations up to date');
  } catch (err) {
    fail(
      `migrations failed: ${err instanceof Error ? err.message : String(err)}`,
      `check DATABASE_URL (${redact(databaseUrl)}) and that PostgreSQL is running`,
    );
  }
}

/** Development secrets: generated once into .flux/secrets.env by the services' own kit. */
export async function ensureDevSecrets(ctx: Context): Promise<void> {
  const kit = await import('@flux/server-kit');
  kit.ensureDevSecrets(ctx.env.devSecretsFile);
}

/** How the running stack was started, so later commands (restart, status, down) follow it. */
export interface StackState {
  production: boolean;
  publicUrl: string;
  httpAddress: string;
  httpPort: number;
}

const stateFile = (ctx: Context) => join(ctx.paths.state, 'stack.json');
export const writeStackState = (ctx: Context, state: StackState) => writeFileSync(stateFile(ctx), `${JSON.stringify(state, null, 2)}\n`);
export const readStackState = (ctx: Context): StackState | undefined =>
  existsSync(stateFile(ctx)) ? (JSON.parse(readFileSync(stateFile(ctx), 'utf8')) as StackState) : undefined;

/** The base URL to check health through: the stack's recorded public URL, else this environment's. */
export const gatewayUrl = (ctx: Context) => {
  const state = readStackState(ctx);
  return ctx.env.raw.PUBLIC_URL || state?.publicUrl || ctx.env.publicUrl;
};

export async function startServices(ctx: Context, env: NodeJS.ProcessEnv): Promise<void> {
  mkdirSync(ctx.paths.logs, { recursive: true });
  ctx.ui.step(`starting services with PM2 (${serviceRegistry.map((s) => s.name).join(' ')})`);
  const keys = Object.keys(env).filter((key) => env[key] !== undefined);
  const result = await pm2(ctx, ['startOrReload', join(ctx.paths.root, 'ecosystem.config.cjs'), '--update-env'], {
    env: { ...env, FLUX_SERVICE_ENV_KEYS: keys.join(',') },
  });
  if (result.code !== 0) {
    ctx.ui.note((result.stderr || result.stdout).trim().split('\n').slice(-20).join('\n    '));
    fail('PM2 could not start the services', 'see ./flux logs; a config error lists every bad variable');
  }
}

/** The pid in a pid file when that process is alive (nginx -t leaves an empty pid file behind). */
export function livePid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

const nginxRunning = (prefix: string) => livePid(join(prefix, 'nginx.pid')) !== undefined;

/** Renders the gateway config for this environment and starts or reloads nginx with it. */
export async function startNginx(ctx: Context): Promise<void> {
  const prefix = ctx.paths.nginxPrefix;
  const conf = writeNginxConfig({
    prefix,
    port: ctx.env.httpPort,
    address: ctx.env.httpAddress,
    tls: ctx.env.tls,
    production: ctx.env.production,
    upstreams: upstreamsFromEnv(ctx.env.raw),
    maxBody: ctx.env.raw.FLUX_MAX_BODY,
    limits: nginxLimitsFromEnv(ctx.env.raw),
  });
  const test = await testNginxConfig(ctx.env.nginxBin, prefix, conf);
  if (!test.ok) fail(`nginx rejected ${conf}:\n      ${test.output}`, `run: nginx -t -p ${prefix} -c ${conf}`);
  if (nginxRunning(prefix)) {
    ctx.ui.step('reloading nginx');
    const result = await run(ctx.env.nginxBin, ['-p', prefix, '-c', conf, '-s', 'reload']);
    if (result.code !== 0) fail(`nginx reload failed: ${result.stderr.trim()}`, 'see .flux/nginx/logs/error.log');
  } else {
    ctx.ui.step(`starting nginx on ${ctx.env.httpAddress}:${ctx.env.httpPort}${ctx.env.tls ? ' (TLS)' : ''}`);
    const result = await run(ctx.env.nginxBin, ['-p', prefix, '-c', conf]);
    if (result.code !== 0)
      fail(
        `nginx did not start: ${result.stderr.trim()}`,
        `is ${ctx.env.httpAddress}:${ctx.env.httpPort} taken? set FLUX_HTTP_PORT or stop the other server`,
      );
  }
}

export async function stopNginx(ctx: Context): Promise<boolean> {
  const prefix = ctx.paths.nginxPrefix;
  if (!nginxRunning(prefix)) return false;
  const signal = (name: 'quit' | 'stop') => run(ctx.env.nginxBin, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-s', name]);
  await signal('quit');
  // A graceful quit waits for open WebSockets (a config from before worker_shutdown_timeout waits
  // for ever): give it the template's 30 s, then stop it, so `down` never leaves the port taken.
  const deadline = Date.now() + 35_000;
  while (nginxRunning(prefix) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  if (nginxRunning(prefix)) await signal('stop');
  return true;
}
