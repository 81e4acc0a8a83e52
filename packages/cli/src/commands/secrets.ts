import type { Command } from 'commander';
import type { Context } from '../context.js';
import { writeSecretsFile } from '../secrets.js';

/** Generates the operator's production secrets file once (mode 0600); --force replaces it. */
export function secrets(ctx: Context, options: { force?: boolean; file?: string } = {}): string {
  const file = options.file ?? ctx.env.productionSecretsFile;
  const values = writeSecretsFile(file, { force: options.force });
  ctx.ui.step(`wrote ${file} (mode 600): ${Object.keys(values).join(', ')}`);
  ctx.ui.note('keep a copy somewhere safe; ./flux up --production reads it');
  return file;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('secrets')
    .description('generate the production secrets file once (FLUX_PRODUCTION_SECRETS_FILE, default .flux/production.env)')
    .option('--force', 'replace an existing file (signs everyone out, changes the database and Redis passwords)')
    .option('--file <path>', 'write here instead')
    .action((options: { force?: boolean; file?: string }) => {
      secrets(ctx, options);
    });
}
