import { isAbsolute, join, resolve } from 'node:path';

/**
 * What the ops commands (probe, backup, restore, deploy …) need from the CLI: where the
 * repository is, the environment, and two output lines. Plain, so tests call the commands
 * directly and read what they printed.
 */
export interface OpsContext {
  root: string;
  env: NodeJS.ProcessEnv;
  /** stdout: results and progress */
  out: (line: string) => void;
  /** stderr: `flux: …` errors and, with --json, progress */
  err: (line: string) => void;
}

export const databaseUrlOf = (env: NodeJS.ProcessEnv) => env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/flux';

/** messaging's FILES_DIR, resolved as messaging resolves it (relative to the repository root). */
export function filesDirOf(root: string, env: NodeJS.ProcessEnv): string {
  const dir = env.FILES_DIR || '.flux/files';
  return isAbsolute(dir) ? dir : resolve(root, dir);
}

export const stateDirOf = (root: string) => join(root, '.flux');

/** Hides the password of a connection URL for printing. */
export const redact = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
