import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { schemas, sqlDirectory } from '@flux/migrations';
import { serviceAddresses, serviceInstances, serviceRegistry } from '@flux/shared/registry';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import type { Context } from '../context.js';
import { run } from '../exec.js';
import { productionRedisUrl } from '../production.js';
import { loadProductionSecrets } from '../secrets.js';
import {
  defaultNginxWorkers,
  hardFileLimit,
  type NginxOptions,
  nginxFileLimits,
  nginxLimitsFromEnv,
  testNginxConfig,
  upstreamsFromEnv,
  writeNginxConfig,
} from '../stack/nginx.js';
import { isListening } from '../stack/ports.js';
import { livePid, readStackState } from '../steps.js';
import { redact } from '../ui.js';
import { undeclaredImports, workspacePackages } from './dependencies.js';

export interface CheckResult {
  name: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
  /** what to do about a warn or fail */
  fix?: string;
}

/** Renders a config and returns its path (a deploy's runs in the release's own code). */
export type NginxWriter = (options: NginxOptions) => string | Promise<string>;

const ok = (name: string, detail: string): CheckResult => ({ name, level: 'ok', detail });
const warn = (name: string, detail: string, fix: string): CheckResult => ({ name, level: 'warn', detail, fix });
const bad = (name: string, detail: string, fix: string): CheckResult => ({ name, level: 'fail', detail, fix });
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function checkNode(): CheckResult {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 22
    ? ok('node', process.version)
    : bad('node', `${process.version} is older than 22`, 'run ./flux (it installs the pinned Node 24 into .flux/runtime)');
}

export async function checkPnpm(ctx: Context): Promise<CheckResult> {
  const manifest = JSON.parse(readFileSync(join(ctx.paths.root, 'package.json'), 'utf8')) as { packageManager?: string };
  const pinned = manifest.packageManager?.replace(/^pnpm@/, '');
  const { code, stdout } = await run('pnpm', ['--version']);
  if (code !== 0) return bad('pnpm', 'not found', 'run ./flux (it installs the pinned pnpm into .flux/runtime)');
  const version = stdout.trim();
  return !pinned || version === pinned
    ? ok('pnpm', version)
    : warn('pnpm', `${version}, the project pins ${pinned}`, 'use ./flux or .flux/runtime/node_modules/.bin/pnpm');
}

/** Every workspace package imports only what its own package.json declares. */
export function checkDependencies(root: string, packages = workspacePackages(root)): CheckResult[] {
  return packages.map((dir) => {
    const name = dir === '.' ? 'root' : dir;
    const found = undeclaredImports(join(root, dir), { workspaceRoot: root });
    if (found.length === 0) return ok(`deps ${name}`, 'every import is declared');
    const names = [...new Set(found.map((f) => f.package))];
    const first = found[0];
    return bad(
      `deps ${name}`,
      `imports ${names.join(', ')} without declaring ${names.length > 1 ? 'them' : 'it'} (${first?.file}: '${first?.specifier}')`,
      `pnpm --filter ./${dir} add ${names.join(' ')}  (then commit package.json and pnpm-lock.yaml)`,
    );
  });
}

export async function checkLockfile(root: string): Promise<CheckResult> {
  const { code, stdout, stderr } = await run('pnpm', ['install', '--frozen-lockfile', '--lockfile-only', '--reporter=silent'], {
    cwd: root,
  });
  if (code === 0) return ok('lockfile', 'pnpm-lock.yaml matches every package.json');
  const why = (stderr || stdout).trim().split('\n')[0] ?? '';
  return bad(
    'lockfile',
    `out of sync with the package.json files ${why ? `(${why.slice(0, 120)})` : ''}`,
    'run pnpm install and commit pnpm-lock.yaml',
  );
}

/** `write`: the renderer to check (a deploy passes its release's own, which matches the release's template). */
export async function checkNginx(ctx: Context, write: NginxWriter = writeNginxConfig): Promise<CheckResult> {
  const prefix = mkdtempSync(join(tmpdir(), 'flux-doctor-nginx-'));
  try {
    const conf = await write({
      prefix,
      port: ctx.env.httpPort,
      address: ctx.env.httpAddress,
      tls: ctx.env.tls,
      production: ctx.env.production,
      upstreams: upstreamsFromEnv(ctx.env.raw),
      // The template of the checkout being checked (a deploy checks its release directory).
      root: ctx.paths.root,
    });
    const result = await testNginxConfig(ctx.env.nginxBin, prefix, conf);
    return result.ok
      ? ok('nginx config', `rendered config passes nginx -t (${ctx.env.nginxBin})`)
      : bad(
          'nginx config',
          result.output.split('\n')[0] ?? 'nginx -t failed',
          'fix infra/nginx/flux.conf.template or FLUX_TLS_CERT/FLUX_TLS_KEY; nginx -t names the line',
        );
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

/** Each port is free, or held by our own service / gateway (it answers as one). */
export async function checkPorts(ctx: Context): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const service of serviceRegistry)
    for (const address of serviceAddresses(service, ctx.env.raw)) {
      const [host = '127.0.0.1', port = '0'] = address.split(':');
      const name = `port ${service.name}`;
      if (!(await isListening(host, Number(port)))) {
        results.push(ok(name, `${address} free`));
        continue;
      }
      const body = await fetch(`http://${address}${service.healthPath}`, { signal: AbortSignal.timeout(3_000) })
        .then((r) => r.json() as Promise<{ service?: string }>)
        .catch(() => undefined);
      results.push(
        body?.service === service.name
          ? ok(name, `${address} ours (${service.name} is running)`)
          : bad(
              name,
              `${address} is taken by another program`,
              `stop it (ss -ltnp 'sport = :${port}'), or set ${service.name.toUpperCase()}_PORT`,
            ),
      );
    }
  const gateway = `${ctx.env.httpAddress}:${ctx.env.httpPort}`;
  const host = ctx.env.httpAddress === '0.0.0.0' ? '127.0.0.1' : ctx.env.httpAddress;
  if (!(await isListening(host, ctx.env.httpPort))) results.push(ok('port gateway', `${gateway} free`));
  else {
    const ours = livePid(join(ctx.paths.nginxPrefix, 'nginx.pid')) !== undefined;
    results.push(
      ours
        ? ok('port gateway', `${gateway} ours (nginx from .flux/nginx)`)
        : bad(
            'port gateway',
            `${gateway} is taken by another program`,
            `stop it (ss -ltnp 'sport = :${ctx.env.httpPort}'), or set FLUX_HTTP_PORT`,
          ),
    );
  }
  return results;
}

export async function checkPostgres(databaseUrl: string): Promise<CheckResult> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`;
    return ok('postgresql', `${row?.server_version ?? '?'} at ${url.host}`);
  } catch (err) {
    return bad(
      'postgresql',
      `${redact(databaseUrl)}: ${message(err)}`,
      'start PostgreSQL (./flux up starts a local one) or fix DATABASE_URL',
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export async function checkRedis(redisUrl: string, options: { production?: boolean } = {}): Promise<CheckResult[]> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    const results = [ok('redis', `${version} at ${new URL(redisUrl).host}`)];
    const config = async (key: string) => ((await redis.config('GET', key).catch(() => [])) as string[])[1];
    const policy = await config('maxmemory-policy');
    results.push(
      policy === 'noeviction'
        ? ok('redis eviction', 'maxmemory-policy noeviction')
        : warn(
            'redis eviction',
            `maxmemory-policy ${policy ?? 'unknown (CONFIG GET refused)'}: Redis may evict BullMQ jobs`,
            'redis-cli config set maxmemory-policy noeviction (./flux up --production sets it)',
          ),
    );
    if (options.production && (await config('maxmemory')) === '0')
      results.push(
        warn(
          'redis memory',
          'no maxmemory: Redis can take the whole machine',
          'run ./flux up --production (sets maxmemory) or set FLUX_REDIS_MAXMEMORY',
        ),
      );
    return results;
  } catch (err) {
    return [bad('redis', `${redact(redisUrl)}: ${message(err)}`, 'start Redis (./flux up starts a local one) or fix REDIS_URL')];
  } finally {
    redis.disconnect();
  }
}

const checksum = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every migration file has run, and none changed since (the runner's own bookkeeping: name and sha256). */
export async function checkMigrations(databaseUrl: string, sqlDir = sqlDirectory): Promise<CheckResult> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const changed: string[] = [];
    const pending: string[] = [];
    for (const schema of schemas) {
      const dir = join(sqlDir, schema);
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sql')) : [];
      const [table] = await sql<{ found: string | null }[]>`select to_regclass(${`${schema}.schema_migrations`})::text as found`;
      const done = new Map(
        table?.found
          ? (await sql.unsafe<{ name: string; checksum: string }[]>(`select name, checksum from ${schema}.schema_migrations`)).map((r) => [
              r.name,
              r.checksum,
            ])
          : [],
      );
      for (const file of files.sort()) {
        const recorded = done.get(file);
        if (recorded === undefined) pending.push(`${schema}/${file}`);
        else if (recorded !== checksum(readFileSync(join(dir, file), 'utf8'))) changed.push(`${schema}/${file}`);
      }
    }
    if (changed.length)
      return bad(
        'migrations',
        `changed after they ran: ${changed.join(', ')}`,
        'restore those files (git checkout) and put the change in a new migration',
      );
    if (pending.length)
      return warn(
        'migrations',
        `${pending.length} not applied yet (${pending.slice(0, 3).join(', ')}…)`,
        'run ./flux migrate (./flux up does it)',
      );
    return ok('migrations', `all applied, none changed (${relative(process.cwd(), sqlDir) || sqlDir})`);
  } catch (err) {
    const text = message(err);
    if (/does not exist/.test(text)) return warn('migrations', `database missing: ${text}`, 'run ./flux up or ./flux migrate (creates it)');
    return bad('migrations', text, 'fix DATABASE_URL / start PostgreSQL, then ./flux migrate');
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export function checkSecrets(ctx: Context): CheckResult {
  const production = ctx.env.production || readStackState(ctx)?.production === true;
  if (!production)
    return existsSync(ctx.env.devSecretsFile)
      ? ok('secrets', `development secrets in ${relative(ctx.paths.root, ctx.env.devSecretsFile)}`)
      : warn('secrets', 'no development secrets yet', './flux up generates them');
  try {
    loadProductionSecrets(ctx.env.productionSecretsFile);
    return ok('secrets', `production secrets in ${ctx.env.productionSecretsFile} (mode 600, each ≥ 32 random bytes)`);
  } catch (err) {
    const hint = err instanceof Error && 'hint' in err ? String(err.hint) : 'run ./flux secrets';
    return bad('secrets', message(err), hint);
  }
}

export function checkDisk(path: string, limits = { warnBytes: 2 * 1024 ** 3, failBytes: 512 * 1024 ** 2 }): CheckResult {
  const stats = statfsSync(path);
  const free = stats.bavail * stats.bsize;
  const text = `${(free / 1024 ** 3).toFixed(1)} GB free on ${path}`;
  if (free < limits.failBytes) return bad('disk', text, 'free space: old releases, backups (./flux backup --keep N), .flux/logs');
  if (free < limits.warnBytes) return warn('disk', text, 'free space soon: old backups, logs');
  return ok('disk', text);
}

/** In production Redis wants the password from the operator's secrets file (when it is readable). */
function withRedisPassword(ctx: Context): string {
  try {
    const password = loadProductionSecrets(ctx.env.productionSecretsFile).REDIS_PASSWORD;
    return password ? productionRedisUrl(ctx.env.redisUrl, password) : ctx.env.redisUrl;
  } catch {
    return ctx.env.redisUrl; // the secrets check reports what is wrong with the file
  }
}

/** Files a messaging instance keeps besides its sockets (PostgreSQL, Redis, logs, modules). */
const SERVICE_FILE_RESERVE = 200;

/**
 * How many WebSockets this host's open-file limit lets the gateway and messaging hold
 * (docs/scaling.md, "Connections per host"): each socket is a file in messaging and two in nginx.
 */
export function checkFileLimits(env: Record<string, string | undefined>, hard = hardFileLimit()): CheckResult {
  if (hard === undefined) return ok('open files', 'no /proc here: the limit is not known');
  const limits = nginxLimitsFromEnv(env);
  const workers = limits.workers ?? defaultNginxWorkers();
  const gateway = Math.floor((workers * nginxFileLimits(limits.workerConnections).connections) / 2);
  const messaging = serviceRegistry.find((s) => s.name === 'messaging');
  const instances = messaging ? serviceInstances(messaging, env) : 1;
  const sockets = instances * Math.max(0, hard - SERVICE_FILE_RESERVE);
  const detail = `${hard} per process: nginx holds ~${gateway} WebSockets (${workers} workers), messaging ~${sockets} sockets (${instances} instance${instances > 1 ? 's' : ''})`;
  return Math.min(gateway, sockets) >= 10_000
    ? ok('open files', detail)
    : warn('open files', detail, 'raise the hard open-file limit (LimitNOFILE= / nofile in limits.conf) or FLUX_MESSAGING_INSTANCES');
}

/** Every check, in the order an operator reads them. */
export async function runChecks(ctx: Context, options: { writeNginxConfig?: NginxWriter } = {}): Promise<CheckResult[]> {
  const state = readStackState(ctx);
  const production = ctx.env.production || state?.production === true;
  return [
    checkNode(),
    await checkPnpm(ctx),
    await checkLockfile(ctx.paths.root),
    ...checkDependencies(ctx.paths.root),
    await checkNginx(ctx, options.writeNginxConfig),
    ...(await checkPorts(ctx)),
    await checkPostgres(ctx.env.databaseUrl),
    ...(await checkRedis(production ? withRedisPassword(ctx) : ctx.env.redisUrl, { production })),
    // The checkout's own migration files (a deploy checks its release's).
    await checkMigrations(ctx.env.databaseUrl, join(ctx.paths.root, 'migrations/sql')),
    checkSecrets(ctx),
    checkDisk(ctx.paths.root),
    checkFileLimits(ctx.env.raw),
  ];
}
