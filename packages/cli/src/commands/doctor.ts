import type { Command } from 'commander';
import type { Context } from '../context.js';

export async function doctor(ctx: Context): Promise<boolean> {
  ctx.ui.check('ok', 'node', process.version);
  return true;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('doctor')
    .description('check the machine and the checkout; every problem with its fix')
    .action(async () => {
      if (!(await doctor(ctx))) process.exitCode = 1;
    });
}
