import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, isListening } from './ports.js';
import { forgetStarted, readStarted, recordStarted, stopPlan, stopStarted } from './started.js';

const dir = mkdtempSync(join(tmpdir(), 'flux-started-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('what flux started, as data', () => {
  it('stops PostgreSQL with argument arrays (through runuser as root), never shell text', () => {
    const cluster = { kind: 'postgres', dataDir: "/srv/it's data", bin: '/usr/lib/postgresql/15/bin', user: 'postgres' } as const;
    expect(stopPlan(cluster, true)).toEqual({
      file: 'runuser',
      args: ['-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/pg_ctl', '-D', "/srv/it's data", '-m', 'fast', '-w', 'stop'],
    });
    expect(stopPlan(cluster, false)).toEqual({
      file: '/usr/lib/postgresql/15/bin/pg_ctl',
      args: ['-D', "/srv/it's data", '-m', 'fast', '-w', 'stop'],
    });
    expect(stopPlan({ kind: 'postgres-cluster', version: '15', cluster: 'main' })).toEqual({
      file: 'pg_ctlcluster',
      args: ['15', 'main', 'stop'],
    });
  });

  it('records a Redis it started and stops exactly that one (a real redis-server)', async () => {
    const port = await freePort();
    const pidFile = join(dir, 'redis.pid');
    const started = spawnSync('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--daemonize',
      'yes',
      '--pidfile',
      pidFile,
      '--save',
      '',
      '--dir',
      dir,
    ]);
    expect(started.status).toBe(0);
    for (let i = 0; i < 50 && !(await isListening('127.0.0.1', port)); i++) await new Promise((r) => setTimeout(r, 100));
    recordStarted(dir, 'redis', { kind: 'redis', pidFile, port });
    const [entry] = readStarted(dir);
    expect(entry).toEqual({ name: 'redis', record: { kind: 'redis', pidFile, port } });
    expect(readFileSync(join(dir, 'redis.json'), 'utf8')).toContain('"kind":"redis"');
    expect(await stopStarted(entry!.record)).toBeUndefined();
    expect(await isListening('127.0.0.1', port)).toBe(false);
    forgetStarted(dir, 'redis');
    expect(existsSync(join(dir, 'redis.json'))).toBe(false);
    // A stale record (nothing running) is not an error.
    expect(await stopStarted({ kind: 'redis', pidFile, port })).toBeUndefined();
  });
});
