import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RegisteredService, serviceRegistry } from '@flux/shared/registry';
// The CLI's own start-up, health waiting and nginx rendering (./flux up uses the same module).
import {
  freePort,
  nginxLimitsFromEnv,
  spawnNginx,
  startServiceProcess,
  stopProcess,
  waitFor,
  writeNginxConfig,
} from '../../packages/cli/src/stack/index.js';

export type ServiceName = RegisteredService;
const services = serviceRegistry.map((s) => s.name);
export { freePort };

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
      // Every service's own port (PORT wins for itself): auth's admin status probes the others there.
      ...Object.fromEntries(services.map((s) => [`${s.toUpperCase()}_PORT`, String(this.ports[s])])),
      NODE_ENV: 'test',
      PORT: String(this.ports[name]),
      AUTH_URL: `http://127.0.0.1:${this.ports.auth}`,
      MESSAGING_URL: `http://127.0.0.1:${this.ports.messaging}`,
      COLLAB_URL: `http://127.0.0.1:${this.ports.collab}`,
      PUBLIC_URL: this.url,
      LOG_LEVEL: process.env.STACK_LOG_LEVEL ?? 'warn',
    };
  }

  async start(): Promise<this> {
    for (const name of [...services, 'gateway'] as const) this.ports[name] = await freePort();
    this.url = `http://127.0.0.1:${this.ports.gateway}`;
    await Promise.all(services.map((name) => this.startService(name)));
    this.prefix = mkdtempSync(join(tmpdir(), 'flux-nginx-'));
    const conf = writeNginxConfig({
      prefix: this.prefix,
      port: this.ports.gateway,
      upstreams: {
        auth: [`127.0.0.1:${this.ports.auth}`],
        messaging: [`127.0.0.1:${this.ports.messaging}`],
        collab: [`127.0.0.1:${this.ports.collab}`],
      },
      // Every e2e test signs in and connects from one address: limits out of the way unless a test sets FLUX_NGINX_*.
      limits: nginxLimitsFromEnv({
        FLUX_NGINX_AUTH_RATE: '1000000',
        FLUX_NGINX_AUTH_BURST: '100000',
        FLUX_NGINX_AUTH_CONNECTIONS: '60000',
        FLUX_NGINX_UPGRADE_RATE: '1000000',
        FLUX_NGINX_UPGRADE_BURST: '100000',
        FLUX_NGINX_UPGRADE_CONNECTIONS: '60000',
        ...this.env,
      }),
    });
    this.nginx = spawnNginx(process.env.NGINX_BIN ?? '/usr/sbin/nginx', this.prefix, conf);
    await waitFor('nginx', async () => (await fetch(`${this.url}/api/auth/health`)).status === 200);
    return this;
  }

  async startService(name: ServiceName): Promise<void> {
    const service = serviceRegistry.find((s) => s.name === name);
    if (!service) throw new Error(`unknown service ${name}`);
    const child = await startServiceProcess(service, this.serviceEnv(name));
    this.processes.set(name, child);
  }

  /** Stops a service (SIGTERM: graceful; SIGKILL: a crash) and waits until it is gone. */
  async stopService(name: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopProcess(this.processes.get(name), signal);
  }

  async restartService(name: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.stopService(name, signal);
    await this.startService(name);
  }

  async stop(): Promise<void> {
    await Promise.all(services.map((name) => this.stopService(name)));
    await stopProcess(this.nginx, 'SIGQUIT');
    if (this.prefix) rmSync(this.prefix, { recursive: true, force: true });
  }
}

export const startStack = (env?: Record<string, string>) => new Stack(env).start();
