import type { Command } from 'commander';
import { isServiceName, serviceNames } from '@flux/shared/registry';
import type { Context } from '../context.js';
import { waitHealthy } from '../stack/health.js';
import { pm2, serviceApp } from '../stack/pm2.js';
import { gatewayUrl } from '../steps.js';
import { fail } from '../ui.js';

/** Restarts one service (its environment as PM2 recorded it at ./flux up) and waits until healthy. */
export async function restart(ctx: Context, service: string | undefined): Promise<void> {
  if (!service || !isServiceName(service)) return fail(`usage: ./flux restart <${serviceNames.join('|')}>`);
  ctx.ui.step(`restarting ${service}`);
  const result = await pm2(ctx, ['restart', await serviceApp(ctx, service)]);
  if (result.code !== 0) fail(`PM2 could not restart ${service}: ${result.stderr.trim()}`, 'is the stack up? run ./flux up');
  await waitHealthy(gatewayUrl(ctx), { hint: `./flux logs ${service}` });
  ctx.ui.step(`${service} restarted`);
}

export function register(program: Command, ctx: Context): void {
  program
    .command('restart')
    .argument('[service]', serviceNames.join('|'))
    .description('restart one service and wait until it is healthy')
    .action((service?: string) => restart(ctx, service));
}
