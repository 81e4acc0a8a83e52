import { createConnection } from 'node:net';
import { totalmem } from 'node:os';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import type { Context } from './context.js';
import { isRoot, run } from './exec.js';
import { isLoopback } from './env.js';
import { fail, redact } from './ui.js';

/** The role the services use in production; it owns the database, so migrations run as it too. */
export const productionRole = 'flux';

const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
const identifier = (value: string) => `"${value.replaceAll('"', '""')}"`;

/** The services' database URL: DATABASE_URL's host, port and database, as the flux role with its password. */
export function productionDatabaseUrl(adminUrl: string, password: string): string {
  const url = new URL(adminUrl);
  url.username = productionRole;
  url.password = encodeURIComponent(password);
  return url.toString();
}

export function productionRedisUrl(redisUrl: string, password: string): string {
  const url = new URL(redisUrl);
  url.username = '';
  url.password = encodeURIComponent(password);
  return url.toString();
}

/**
 * Creates (or re-keys) the flux role and its database. Connects as DATABASE_URL's user (the local
 * superuser); on a stock Debian cluster, where TCP needs a password, it falls back to psql over the
 * socket as the postgres user (runuser, an argument array, SQL on stdin).
 */
export async function ensureProductionDatabase(ctx: Context, password: string): Promise<string> {
  const admin = new URL(ctx.env.databaseUrl);
  const database = decodeURIComponent(admin.pathname.slice(1)) || 'flux';
  const statements = [
    `do $$ begin if exists (select from pg_roles where rolname = ${literal(productionRole)}) then alter role ${identifier(productionRole)} login password ${literal(password)}; else create role ${identifier(productionRole)} login password ${literal(password)}; end if; end $$`,
  ];
  ctx.ui.step(`PostgreSQL: role ${productionRole} with its password, database ${database}`);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    for (const statement of statements) await sql.unsafe(statement);
    const [row] = await sql<{ owner: string }[]>`select pg_get_userbyid(datdba) as owner from pg_database where datname = ${database}`;
    if (!row) await sql.unsafe(`create database ${identifier(database)} owner ${identifier(productionRole)}`);
    else if (row.owner !== productionRole)
      fail(
        `database ${database} exists and belongs to ${row.owner}, not ${productionRole}`,
        'production uses its own database: set DATABASE_URL to a new database name (e.g. …/flux_production), or restore a backup into it',
      );
  } catch (err) {
    if (err instanceof Error && err.name === 'FluxError') throw err;
    const host = admin.hostname;
    if (!isRoot() || !isLoopback(host))
      fail(
        `cannot administer PostgreSQL at ${redact(ctx.env.databaseUrl)}: ${err instanceof Error ? err.message : String(err)}`,
        'set DATABASE_URL to a superuser URL (it is used only to create the flux role and database)',
      );
    const psql = ['-u', 'postgres', '--', 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-p', admin.port || '5432', '-d', 'postgres'];
    const script = `${statements.join(';\n')};\nselect format('create database %I owner %I', ${literal(database)}, ${literal(productionRole)}) where not exists (select from pg_database where datname = ${literal(database)}) \\gexec\n`;
    const result = await run('runuser', psql, { input: script });
    if (result.code !== 0)
      fail(`creating the ${productionRole} role failed: ${result.stderr.trim()}`, 'is PostgreSQL running? see ./flux doctor');
  } finally {
    await sql.end();
  }
  return productionDatabaseUrl(ctx.env.databaseUrl, password);
}

/**
 * Whether Redis wants a password: a plain `PING` over TCP answers `+PONG` or `-NOAUTH`. (ioredis 6
 * opens with HELLO, which a protected server answers by closing, so it cannot tell us.)
 */
export function redisRequiresPassword(redisUrl: string): Promise<boolean> {
  const url = new URL(redisUrl);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: url.hostname, port: Number(url.port || 6379), timeout: 5_000 });
    let reply = '';
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (!reply.includes('\r\n')) return;
      socket.destroy();
      if (reply.startsWith('+PONG')) resolve(false);
      else if (reply.startsWith('-NOAUTH')) resolve(true);
      else reject(new Error(`unexpected answer to PING: ${reply.trim()}`));
    });
    socket.once('timeout', () => socket.destroy(new Error('timed out')));
    socket.once('error', reject);
  });
}

/** Default Redis memory cap: a quarter of the machine (BullMQ needs noeviction, so cap, never evict). */
export const defaultMaxmemory = () => `${Math.max(64, Math.floor(totalmem() / 4 / 1024 / 1024))}mb`;

/**
 * Makes Redis require the password and cap its memory without evicting (BullMQ loses jobs when
 * keys are evicted). A local Redis without a password gets one (CONFIG SET, persisted with CONFIG
 * REWRITE when it has a config file); a Redis that already has this password is only tuned.
 */
export async function ensureProductionRedis(ctx: Context, password: string): Promise<string> {
  const url = productionRedisUrl(ctx.env.redisUrl, password);
  const maxmemory = ctx.env.raw.FLUX_REDIS_MAXMEMORY || defaultMaxmemory();
  ctx.ui.step(`Redis: password, maxmemory ${maxmemory}, maxmemory-policy noeviction`);
  const open = async (target: string) => {
    const client = new Redis(target, {
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    await client.connect();
    return client;
  };
  let redis: Redis | undefined;
  try {
    if (!(await redisRequiresPassword(ctx.env.redisUrl))) {
      if (!isLoopback(new URL(ctx.env.redisUrl).hostname))
        fail(
          `Redis at ${redact(ctx.env.redisUrl)} has no password`,
          'set requirepass on that server to REDIS_PASSWORD from the secrets file',
        );
      redis = await open(productionRedisUrl(ctx.env.redisUrl, ''));
      await redis.config('SET', 'requirepass', password);
      ctx.ui.note('set requirepass on the local Redis');
    }
    redis?.disconnect();
    redis = await open(url).catch((err: Error) =>
      fail(
        `Redis refused REDIS_PASSWORD (${err.message})`,
        'the server has another password: set it to REDIS_PASSWORD from the secrets file',
      ),
    );
    await redis.config('SET', 'maxmemory', maxmemory);
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis
      .config('REWRITE')
      .catch(() => ctx.ui.note('Redis has no config file; flux sets these again on every ./flux up --production'));
  } catch (err) {
    if (err instanceof Error && err.name === 'FluxError') throw err;
    fail(
      `cannot configure Redis at ${redact(ctx.env.redisUrl)}: ${err instanceof Error ? err.message : String(err)}`,
      'is Redis running? see ./flux doctor',
    );
  } finally {
    redis?.disconnect();
  }
  return url;
}
