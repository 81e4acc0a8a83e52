import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@flux/migrations';
import { Redis } from 'ioredis';
import { freePort } from '../../packages/cli/src/stack/index.js';
import { eventually } from './eventually.js';

/**
 * PostgreSQL and Redis instances private to one test file, on free loopback ports, so a fault
 * test can stop and restart them without touching the shared 5432/6379.
 */

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
// initdb and postgres refuse to run as root: the cluster belongs to the postgres user.
const asPostgres = (command: string, args: string[]) =>
  execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, command), ...args], { stdio: 'pipe' });

export class PrivatePostgres {
  port = 0;
  private dir = '';

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/flux`;
  }

  /** initdb into a temp dir, start, create the `flux` database and (unless told not to) migrate it. */
  async init({ migrated = true } = {}): Promise<this> {
    this.port = await freePort();
    this.dir = mkdtempSync(join(tmpdir(), 'flux-pg-'));
    chmodSync(this.dir, 0o777);
    asPostgres('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    await this.start();
    if (migrated) await migrate(this.url, { createDatabase: true });
    else asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(this.port), 'flux']);
    return this;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    asPostgres('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-o', options, '-w', 'start']);
    await eventually(
      () => {
        // pg_isready exits non-zero (execFileSync throws) until the server accepts connections.
        execFileSync(join(PG_BIN, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(this.port)]);
        return true;
      },
      { what: 'private PostgreSQL accepts connections', timeout: 20_000, interval: 100 },
    );
  }

  /** The first column of the first row of `query`, as psql prints it. */
  scalar(query: string): string {
    return execFileSync(join(PG_BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-d', 'flux', '-tAc', query], {
      encoding: 'utf8',
    }).trim();
  }

  /** Fast shutdown: open connections are terminated (57P01), new ones refused. */
  async stop(): Promise<void> {
    asPostgres('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    if (!this.dir) return;
    try {
      await this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class PrivateRedis {
  port = 0;
  private child: ChildProcess | undefined;
  private dir = '';

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async init(): Promise<this> {
    this.port = await freePort();
    this.dir = mkdtempSync(join(tmpdir(), 'flux-redis-'));
    await this.start();
    return this;
  }

  /** Keeps its data across stop/start in an append-only file, like a production Redis would. */
  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(this.port), '--daemonize', 'no', '--save', '', '--appendonly', 'yes', '--dir', this.dir],
      { stdio: 'ignore' },
    );
    await eventually(
      async () => {
        const probe = new Redis(this.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        probe.on('error', () => {}); // refused while it starts: expected
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          return false;
        } finally {
          probe.disconnect();
        }
      },
      { what: 'private redis-server up', timeout: 10_000, interval: 50 },
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
