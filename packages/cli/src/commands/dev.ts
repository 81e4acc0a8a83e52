import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import { serviceAddresses, serviceRegistry } from '@flux/shared/registry';
import type { Context } from '../context.js';
import { isListening } from '../stack/ports.js';
import { spawnNginx, stopProcess } from '../stack/processes.js';
import { testNginxConfig, upstreamsFromEnv, writeNginxConfig } from '../stack/nginx.js';
import { build, ensureDevSecrets, runMigrations } from '../steps.js';
import { fail } from '../ui.js';

const vitePort = 5173;

/** Prefixes every line of a child's output with its name, so four processes stay readable in one terminal. */
function pipeLines(child: ChildProcess, name: string): void {
  const label = `${name.padEnd(9)} | `;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${label}${line}\n`);
    });
  }
}

/**
 * Development: the three services under `tsx watch`, a development nginx on the gateway port in
 * front of them (the same rendered config as ./flux up) and the Vite dev server, which proxies
 * /api, /socket.io and /collab to that gateway. Ctrl-C stops everything.
 */
export async function dev(ctx: Context): Promise<void> {
  const { env, ui } = ctx;
  const busy: string[] = [];
  for (const service of serviceRegistry)
    for (const address of serviceAddresses(service, env.raw)) {
      const [host = '127.0.0.1', port = '0'] = address.split(':');
      if (await isListening(host, Number(port))) busy.push(`${service.name} ${address}`);
    }
  if (await isListening('127.0.0.1', env.httpPort)) busy.push(`gateway 127.0.0.1:${env.httpPort}`);
  if (busy.length > 0)
    fail(`ports in use: ${busy.join(', ')}`, 'stop the running stack with ./flux down (or set AUTH_PORT/…/FLUX_HTTP_PORT)');
  await build(ctx, './packages/*');
  await ensureDevSecrets(ctx);
  await runMigrations(ctx, env.databaseUrl);
  const prefix = join(ctx.paths.state, 'nginx-dev');
  const conf = writeNginxConfig({ prefix, port: env.httpPort, upstreams: upstreamsFromEnv(env.raw) });
  const test = await testNginxConfig(env.nginxBin, prefix, conf);
  if (!test.ok) fail(`nginx rejected ${conf}: ${test.output}`);
  const publicUrl = env.raw.PUBLIC_URL || `http://127.0.0.1:${vitePort}`;
  const childEnv = { ...process.env, NODE_ENV: 'development', PUBLIC_URL: publicUrl, FLUX_URL: `http://127.0.0.1:${env.httpPort}` };
  const children: [string, ChildProcess][] = [];
  const start = (name: string, args: string[]) => {
    const child = spawn('pnpm', args, { cwd: ctx.paths.root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    pipeLines(child, name);
    children.push([name, child]);
  };
  for (const service of serviceRegistry) start(service.name, ['--filter', `./${service.directory}`, 'run', 'dev']);
  start('web', ['--filter', '@flux/web', 'run', 'dev', '--port', String(vitePort), '--strictPort']);
  const nginx = spawnNginx(env.nginxBin, prefix, conf);
  ui.step(`development: the app at http://127.0.0.1:${vitePort} (Vite), API gateway http://127.0.0.1:${env.httpPort}; Ctrl-C stops`);
  let stopping = false;
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    for (const [name, child] of children)
      child.once('exit', (code) => {
        if (!stopping) ui.error(`${name} exited (${code}); stopping the others`);
        resolve();
      });
  });
  stopping = true;
  ui.step('stopping');
  for (const [, child] of children) {
    // Each pnpm runs in its own process group: signal the group so tsx/vite below it stop too.
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
    }
  }
  await Promise.all([
    ...children.map(([, c]) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)),
    stopProcess(nginx, 'SIGQUIT'),
  ]);
}

export function register(program: Command, ctx: Context): void {
  program
    .command('dev')
    .description('development: services in watch mode (tsx), the Vite dev server and a development nginx')
    .action(() => dev(ctx));
}
