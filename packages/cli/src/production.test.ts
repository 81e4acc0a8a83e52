import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from './context.js';
import { ensureProductionRedis, productionDatabaseUrl, redisRequiresPassword } from './production.js';
import { freePort, isListening } from './stack/ports.js';
import { createUi } from './ui.js';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

describe('production Redis (a private real redis-server)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flux-prod-redis-'));
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    const pidfile = join(dir, 'redis.pid');
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--pidfile', pidfile, '--save', '', '--dir', dir];
    expect(spawnSync('redis-server', args).status).toBe(0);
    for (let i = 0; i < 50 && !(await isListening('127.0.0.1', port)); i++) await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => {
    spawnSync('redis-cli', ['-p', String(port), '-a', 'x'.repeat(43), '--no-auth-warning', 'shutdown', 'nosave']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets the password, a memory cap and noeviction; a second run only tunes; a wrong password is refused', async () => {
    const password = 'x'.repeat(43);
    const ctx = createContext({
      ui: createUi(sink(), sink()),
      env: { REDIS_URL: `redis://127.0.0.1:${port}`, FLUX_REDIS_MAXMEMORY: '64mb' },
    });
    expect(await redisRequiresPassword(ctx.env.redisUrl)).toBe(false);
    const url = await ensureProductionRedis(ctx, password);
    expect(await redisRequiresPassword(ctx.env.redisUrl)).toBe(true);
    expect(await ensureProductionRedis(ctx, password)).toBe(url);
    const redis = new Redis(url);
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await redis.config('GET', 'maxmemory')).toEqual(['maxmemory', String(64 * 1024 * 1024)]);
    await redis.quit();
    await expect(ensureProductionRedis(ctx, 'y'.repeat(43))).rejects.toMatchObject({
      message: expect.stringContaining('refused REDIS_PASSWORD'),
    });
  });
});

describe('production database URL', () => {
  it('keeps host, port and database, and connects as the flux role with the password', () => {
    expect(productionDatabaseUrl('postgres://postgres@db.internal:5433/flux_production', 'p/w:1')).toBe(
      'postgres://flux:p%2Fw%3A1@db.internal:5433/flux_production',
    );
  });
});
