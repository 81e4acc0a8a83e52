import type { Command } from 'commander';
import type { Context } from '../context.js';
import { checkHealth } from '../stack/health.js';
import { pm2 } from '../stack/pm2.js';
import { gatewayUrl } from '../steps.js';

/** PM2's process list and every health check through nginx; exit 1 when one is not healthy. */
export async function status(ctx: Context): Promise<boolean> {
  await pm2(ctx, ['status'], { stdio: 'inherit' });
  const results = await checkHealth(gatewayUrl(ctx));
  for (const r of results) ctx.ui.line(`${r.path.padEnd(22)} ${r.status ? `${r.status} ${r.body}` : `unreachable (${r.body})`}`);
  return results.every((r) => r.status === 200);
}

export function register(program: Command, ctx: Context): void {
  program
    .command('status')
    .description('process list and health')
    .action(async () => {
      if (!(await status(ctx))) process.exitCode = 1;
    });
}
