import type { Command } from 'commander';
import type { Context } from '../context.js';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backup } from '../ops/backup.js';
import { registerArgv } from './argv.js';
import { databaseUrlOf, filesDirOf, type OpsContext, redact } from '../ops/command.js';

export const backupUsage = `usage: ./flux backup [--dir DIR] [--keep N]
  One archive (.tar.gz) with a pg_dump of the auth, messaging and collab schemas, the uploaded
  files (FILES_DIR) and a manifest (commit, PostgreSQL version, migrations, sha256 of every part).
  --dir   where archives go (default .flux/backups)
  --keep  keep only the N newest archives in that folder`;

const MB = 1024 * 1024;

/** `./flux backup`: prints the archive path last, on its own line, for scripts. */
export async function backupCommand(argv: string[], ctx: OpsContext): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'string' },
      keep: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    ctx.out(backupUsage);
    return 0;
  }
  const keep = values.keep === undefined ? 0 : Number(values.keep);
  if (!Number.isInteger(keep) || keep < 0 || (values.keep !== undefined && keep === 0)) {
    ctx.err('flux backup: --keep takes a number of archives, at least 1');
    return 2;
  }
  const databaseUrl = databaseUrlOf(ctx.env);
  const dir = values.dir ? resolve(values.dir) : join(ctx.root, '.flux/backups');
  ctx.out(`==> backing up ${redact(databaseUrl)}`);
  try {
    const result = await backup({
      root: ctx.root,
      databaseUrl,
      filesDir: filesDirOf(ctx.root, ctx.env),
      dir,
      keep,
      log: (line) => ctx.out(`    ${line}`),
    });
    const files = Object.keys(result.manifest.parts).length - 1;
    ctx.out(`==> backup done: ${(result.bytes / MB).toFixed(1)} MB, ${files} files, commit ${result.manifest.app.describe}`);
    ctx.out(result.archive);
    return 0;
  } catch (err) {
    ctx.err(`flux backup: ${(err as Error).message}`);
    ctx.err('      check that PostgreSQL is reachable at DATABASE_URL and that the backup folder is writable');
    return 1;
  }
}

export const register = (program: Command, ctx: Context) =>
  registerArgv(program, ctx, {
    name: 'backup',
    summary: 'archive the database schemas, uploaded files and a manifest (--keep N prunes)',
    usage: backupUsage,
    run: backupCommand,
  });
