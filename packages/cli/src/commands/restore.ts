import type { Command } from 'commander';
import type { Context } from '../context.js';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { registerArgv } from './argv.js';
import { databaseUrlOf, filesDirOf, type OpsContext, redact } from '../ops/command.js';
import { RestoreRefused, restore } from '../ops/restore.js';

export const restoreUsage = `usage: ./flux restore <archive> [--force]
  Verifies every checksum of an archive written by ./flux backup, then restores the auth,
  messaging and collab schemas into DATABASE_URL (created when missing) and the uploaded files
  into FILES_DIR. Refuses a database with tables or a files folder with files unless --force
  (which replaces the three schemas and keeps the old files folder aside). Stop the services
  first (./flux down), or restore into a new database.`;

export async function restoreCommand(argv: string[], ctx: OpsContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    ctx.out(restoreUsage);
    return 0;
  }
  const [archive, ...rest] = positionals;
  if (!archive || rest.length > 0) {
    ctx.err(restoreUsage);
    return 2;
  }
  const databaseUrl = databaseUrlOf(ctx.env);
  ctx.out(`==> restoring ${archive} into ${redact(databaseUrl)}`);
  try {
    const result = await restore({
      archive: resolve(archive),
      databaseUrl,
      filesDir: filesDirOf(ctx.root, ctx.env),
      force: values.force,
      log: (line) => ctx.out(`    ${line}`),
    });
    for (const note of result.migrationNotes) ctx.out(`    note: ${note}`);
    ctx.out(`==> restored the backup of ${result.manifest.app.describe} (${result.manifest.createdAt}), ${result.files} files`);
    return 0;
  } catch (err) {
    ctx.err(`flux restore: ${(err as Error).message}`);
    if (err instanceof RestoreRefused) ctx.err(`      ${err.hint}`);
    else ctx.err('      nothing was half-restored in the database (one transaction); fix the cause above and run the restore again');
    return 1;
  }
}

export const register = (program: Command, ctx: Context) =>
  registerArgv(program, ctx, {
    name: 'restore',
    summary: 'restore an archive of ./flux backup into an empty database (verifies checksums)',
    usage: restoreUsage,
    run: restoreCommand,
  });
