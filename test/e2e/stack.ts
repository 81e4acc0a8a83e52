import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain ESM module without types
import { renderNginx } from '../../infra/nginx/render.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
export type ServiceName = 'auth' | 'messaging' | 'collab';
const services: ServiceName[] = ['auth', 'messaging', 'collab'];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitFor(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${ms} ms`);
}

/**
 * The built services (`dist/`) as separate processes on free ports behind a real nginx with the
 * project's config, like `./flux up` but private to one test file.
 */
export class Stack {
  readonly processes = new Map<ServiceName, ChildProcess>();
  url = '';
  ports = {} as Record<ServiceName | 'gateway', number>;
  private nginx?: ChildProcess;
  private prefix = '';

  constructor(private readonly env: Record<string, string> = {}) {}

  serviceEnv(name: ServiceName): NodeJS.ProcessEnv {
    return {
      ...process.env,
      // Every test client comes from 127.0.0.1: lift the per-IP credential limit unless a test sets it.
      AUTH_CREDENTIAL_REQUESTS_PER_IP_PER_MINUTE: '100000',
      ...this.env,
      NODE_ENV: 'test',
      PORT: String(this.ports[name]),
      AUTH_URL: `http://127.0.0.1:${this.ports.auth}`,
      PUBLIC_URL: this.url,
      LOG_LEVEL: process.env.STACK_LOG_LEVEL ?? 'warn',
    };
  }

  async start(): Promise<this> {
    for (const name of [...services, 'gateway'] as const) this.ports[name] = await freePort();
    this.url = `http://127.0.0.1:${this.ports.gateway}`;
    await Promise.all(services.map((name) => this.startService(name)));
    this.prefix = mkdtempSync(join(tmpdir(), 'flux-nginx-'));
    const conf: string = renderNginx({
      prefix: this.prefix,
      port: this.ports.gateway,
      auth: [`127.0.0.1:${this.ports.auth}`],
      messaging: [`127.0.0.1:${this.ports.messaging}`],
      collab: [`127.0.0.1:${this.ports.collab}`],
    });
    const nginxBin = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
    this.nginx = spawn(nginxBin, ['-p', this.prefix, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
    await waitFor('nginx', async () => (await fetch(`${this.url}/api/auth/health`)).status === 200);
    return this;
  }

  async startService(name: ServiceName): Promise<void> {
    const child = spawn(process.execPath, ['--enable-source-maps', join(root, `services/${name}/dist/server.js`)], {
      env: this.serviceEnv(name),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.processes.set(name, child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m) => (m === 'ready' ? resolve() : undefined));
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
    });
  }

  /** Stops a service (SIGTERM: graceful; SIGKILL: a crash) and waits until it is gone. */
  async stopService(name: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.processes.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  async restartService(name: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.stopService(name, signal);
    await this.startService(name);
  }

  async stop(): Promise<void> {
    await Promise.all(services.map((name) => this.stopService(name)));
    if (this.nginx && this.nginx.exitCode === null) {
      const exited = new Promise((resolve) => this.nginx!.once('exit', resolve));
      this.nginx.kill('SIGQUIT');
      await exited;
    }
    if (this.prefix) rmSync(this.prefix, { recursive: true, force: true });
  }
}

export const startStack = (env?: Record<string, string>) => new Stack(env).start();
