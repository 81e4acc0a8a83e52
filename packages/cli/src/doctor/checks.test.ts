import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@flux/migrations';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../context.js';
import { freePort } from '../stack/ports.js';
import { checkDependencies, checkFileLimits, checkMigrations, checkNginx, checkPostgres, checkRedis, checkSecrets } from './checks.js';
import { packageOf } from './dependencies.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux_test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('dependency check', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'flux-doctor-deps-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fixture-root', devDependencies: { vitest: '*' } }));
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
    for (const [name, deps, source] of [
      [
        'good',
        { kysely: '*' },
        "import { Kysely } from 'kysely';\nimport { join } from 'node:path';\nimport fs from 'fs';\nexport * from './x.js';\n",
      ],
      // `from 'left-pad'` inside a string is not an import; the dynamic import and the subpath are.
      [
        'bad',
        { kysely: '*' },
        "const text = \"import x from 'left-pad'\";\nexport const load = () => import('lodash/fp');\nimport 'kysely';\n",
      ],
    ] as const) {
      mkdirSync(join(root, 'packages', name, 'src'), { recursive: true });
      writeFileSync(join(root, 'packages', name, 'package.json'), JSON.stringify({ name, dependencies: deps }));
      writeFileSync(join(root, 'packages', name, 'src', 'index.ts'), source);
      // Tests run under the root's vitest: importing it from a test file is fine.
      writeFileSync(join(root, 'packages', name, 'src', 'index.test.ts'), "import { it } from 'vitest';\n");
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('passes a package that declares what it imports and fails one that does not, naming the package and the fix', () => {
    const results = checkDependencies(root);
    expect(results.map((r) => [r.name, r.level])).toEqual([
      ['deps root', 'ok'],
      ['deps packages/bad', 'fail'],
      ['deps packages/good', 'ok'],
    ]);
    const bad = results.find((r) => r.name === 'deps packages/bad');
    expect(bad?.detail).toContain('lodash');
    expect(bad?.detail).not.toContain('left-pad');
    expect(bad?.fix).toContain('pnpm --filter ./packages/bad add lodash');
  });

  it('names packages, not paths or builtins', () => {
    expect(packageOf('@flux/shared/registry')).toBe('@flux/shared');
    expect(packageOf('lodash/fp')).toBe('lodash');
    expect(packageOf('node:fs')).toBeUndefined();
    expect(packageOf('fs/promises')).toBeUndefined();
    expect(packageOf('./x.js')).toBeUndefined();
  });
});

describe('migration check (real PostgreSQL)', () => {
  const url = new URL(databaseUrl);
  url.pathname = `/flux_doctor_${process.pid}`;
  const target = url.toString();
  let sql: postgres.Sql;
  beforeAll(async () => {
    await migrate(target, { createDatabase: true });
    sql = postgres(target, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql.end();
    const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${url.pathname.slice(1)} with (force)`);
    await admin.end();
  });

  it('is ok when every file ran unchanged, warns about one not applied yet', async () => {
    expect((await checkMigrations(target)).level).toBe('ok');
    const [last] = await sql<
      { name: string; checksum: string }[]
    >`select name, checksum from messaging.schema_migrations order by name desc limit 1`;
    await sql`delete from messaging.schema_migrations where name = ${last?.name ?? ''}`;
    const pending = await checkMigrations(target);
    expect(pending.level).toBe('warn');
    expect(pending.detail).toContain(`messaging/${last?.name}`);
    await sql`insert into messaging.schema_migrations (name, checksum) values (${last?.name ?? ''}, ${last?.checksum ?? ''})`;
    expect((await checkMigrations(target)).level).toBe('ok');
  });

  it('fails naming a migration whose file changed after it ran', async () => {
    const [first] = await sql<{ name: string }[]>`select name from auth.schema_migrations order by name limit 1`;
    await sql`update auth.schema_migrations set checksum = 'edited' where name = ${first?.name ?? ''}`;
    const result = await checkMigrations(target);
    expect(result.level).toBe('fail');
    expect(result.detail).toContain(`auth/${first?.name}`);
    expect(result.fix).toContain('new migration');
  });
});

describe('servers (real PostgreSQL and Redis)', () => {
  it('reports the PostgreSQL version, and fails with a fix when nothing listens', async () => {
    const up = await checkPostgres(databaseUrl);
    expect(up).toMatchObject({ level: 'ok' });
    expect(up.detail).toMatch(/^\d+/);
    const down = await checkPostgres(`postgres://postgres@127.0.0.1:${await freePort()}/flux`);
    expect(down.level).toBe('fail');
    expect(down.fix).toContain('DATABASE_URL');
  });

  it("reports Redis's version and warns exactly when the eviction policy is not noeviction", async () => {
    const redis = new Redis(redisUrl);
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    await redis.quit();
    const [server, eviction] = await checkRedis(redisUrl);
    expect(server?.level).toBe('ok');
    expect(eviction?.level).toBe(policy === 'noeviction' ? 'ok' : 'warn');
    const [down] = await checkRedis(`redis://127.0.0.1:${await freePort()}`);
    expect(down?.level).toBe('fail');
  });
});

describe('configuration checks', () => {
  it('passes the rendered nginx config and fails one whose TLS certificate is missing', async () => {
    const ctx = createContext({ env: { FLUX_HTTP_PORT: '18443' } });
    expect((await checkNginx(ctx)).level).toBe('ok');
    const tls = createContext({
      env: { FLUX_TLS_CERT: '/nonexistent/cert.pem', FLUX_TLS_KEY: '/nonexistent/key.pem', FLUX_HTTP_PORT: '18443' },
    });
    const result = await checkNginx(tls);
    expect(result.level).toBe('fail');
    expect(result.detail).toContain('/nonexistent/cert.pem');
  });

  it('reports the WebSockets the open-file limit allows, and warns with the fix when it is under 10,000', () => {
    const env = { FLUX_NGINX_WORKERS: '4', FLUX_NGINX_WORKER_CONNECTIONS: '19744', FLUX_MESSAGING_INSTANCES: '2' };
    expect(checkFileLimits(env, 20_000)).toEqual({
      name: 'open files',
      level: 'ok',
      detail: '20000 per process: nginx holds ~39488 WebSockets (4 workers), messaging ~39600 sockets (2 instances)',
    });
    const low = checkFileLimits({ ...env, FLUX_MESSAGING_INSTANCES: '1' }, 1024);
    expect(low.level).toBe('warn');
    expect(low.detail).toContain('messaging ~824 sockets (1 instance)');
    expect(low.fix).toContain('LimitNOFILE');
  });

  it('fails production without a secrets file and says how to make one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-doctor-secrets-'));
    try {
      const ctx = createContext({ root: dir, env: { NODE_ENV: 'production', FLUX_PRODUCTION_SECRETS_FILE: join(dir, 'production.env') } });
      const result = checkSecrets(ctx);
      expect(result.level).toBe('fail');
      expect(result.fix).toContain('./flux secrets');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
