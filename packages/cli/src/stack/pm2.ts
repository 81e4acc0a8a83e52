import { join } from 'node:path';
import type { Context } from '../context.js';
import { type RunResult, run } from '../exec.js';
import { readState } from '../ops/releases.js';

/** The project's own pm2 with PM2_HOME in .flux/pm2 (never a global daemon). */
export function pm2(
  ctx: Context,
  args: string[],
  options: { stdio?: 'inherit' | 'pipe'; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return run(process.execPath, [join(ctx.paths.root, 'node_modules/pm2/bin/pm2'), ...args], {
    cwd: ctx.paths.root,
    stdio: options.stdio ?? 'pipe',
    env: { ...process.env, ...options.env, PM2_HOME: ctx.paths.pm2Home, FLUX_NODE: process.execPath },
  });
}

/**
 * The PM2 app of a service: `<service>@<release>` once ./flux deploy serves a release, else the
 * checkout's own `<service>` (./flux up).
 */
export async function serviceApp(ctx: Context, service: string): Promise<string> {
  const current = readState(ctx.paths.root).current;
  if (!current) return service;
  const { stdout } = await pm2(ctx, ['jlist']);
  return stdout.includes(`"name":"${service}@${current}"`) ? `${service}@${current}` : service;
}
