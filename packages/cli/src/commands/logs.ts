import type { Command } from 'commander';
import { isServiceName, serviceNames } from '@flux/shared/registry';
import type { Context } from '../context.js';
import { pm2, serviceApp } from '../stack/pm2.js';
import { fail } from '../ui.js';

/** Follows the logs of one service, or all of them. */
export async function logs(ctx: Context, service?: string, lines = 100): Promise<void> {
  if (service && !isServiceName(service)) fail(`unknown service ${service}`, `use one of: ${serviceNames.join(', ')}`);
  await pm2(ctx, ['logs', ...(service ? [await serviceApp(ctx, service)] : []), '--lines', String(lines)], { stdio: 'inherit' });
}

export function register(program: Command, ctx: Context): void {
  program
    .command('logs [service]')
    .description(`follow the logs (${serviceNames.join(', ')})`)
    .option('-n, --lines <n>', 'lines of history first', '100')
    .action((service: string | undefined, options: { lines: string }) => logs(ctx, service, Number(options.lines)));
}
