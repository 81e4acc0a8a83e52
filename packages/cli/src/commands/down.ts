import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { pm2 } from '../stack/pm2.js';
import { forgetStarted, readStarted, stopStarted } from '../stack/started.js';
import { stopNginx } from '../steps.js';

/** Stops the services, nginx, and any PostgreSQL or Redis that flux started itself (recorded as data). */
export async function down(ctx: Context): Promise<void> {
  const { ui } = ctx;
  if (existsSync(ctx.paths.pm2Home)) {
    ui.step('stopping services');
    await pm2(ctx, ['kill']);
  }
  if (await stopNginx(ctx)) ui.step('stopping nginx');
  for (const { name, record } of readStarted(ctx.paths.started).reverse()) {
    ui.step(`stopping the ${record.kind === 'redis' ? 'Redis' : 'PostgreSQL'} flux started (${name})`);
    const problem = await stopStarted(record);
    if (problem) ui.note(problem);
    else forgetStarted(ctx.paths.started, name);
  }
  ui.step('down');
}

export function register(program: Command, ctx: Context): void {
  program
    .command('down')
    .description('stop everything flux started')
    .action(() => down(ctx));
}
