import type { Command } from 'commander';
import type { Context } from '../context.js';
import { build, runMigrations } from '../steps.js';

export async function migrateCommand(ctx: Context): Promise<void> {
  await build(ctx, '@flux/migrations');
  await runMigrations(ctx, ctx.env.databaseUrl);
}

export function register(program: Command, ctx: Context): void {
  program
    .command('migrate')
    .description('apply database migrations (DATABASE_URL)')
    .action(() => migrateCommand(ctx));
}
