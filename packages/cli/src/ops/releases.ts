import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extract } from 'tar';

const exec = promisify(execFile);

/**
 * Releases for `./flux deploy`: each is a clean tree of one commit in
 * `.flux/releases/<UTC time>-<sha7>/` with its own node_modules and build, plus `RELEASE.json`.
 * `.flux/releases/state.json` says which one serves (current), which served before (previous) and
 * what happened (history). See packages/cli/DEPLOY.md.
 */

export interface ReleaseInfo {
  id: string;
  ref: string;
  commit: string;
  createdAt: string;
}

export interface ReleaseEvent {
  at: string;
  release: string;
  event: 'built' | 'deployed' | 'rolled-back' | 'failed';
  reason?: string;
}

export interface ReleaseState {
  current: string | null;
  previous: string | null;
  history: ReleaseEvent[];
}

export const KEEP_RELEASES = 5;
const RELEASE_ID = /^\d{8}T\d{6}Z-[0-9a-f]{7}$/;

export const releasesDir = (root: string) => join(root, '.flux/releases');
const stateFile = (root: string) => join(releasesDir(root), 'state.json');

export function readState(root: string): ReleaseState {
  const file = stateFile(root);
  if (!existsSync(file)) return { current: null, previous: null, history: [] };
  return JSON.parse(readFileSync(file, 'utf8')) as ReleaseState;
}

export function writeState(root: string, state: ReleaseState): void {
  mkdirSync(releasesDir(root), { recursive: true });
  const temp = `${stateFile(root)}.${process.pid}.tmp`;
  // The history is for people reading `./flux releases`; the last 50 events are plenty.
  writeFileSync(temp, `${JSON.stringify({ ...state, history: state.history.slice(-50) }, null, 2)}\n`);
  renameSync(temp, stateFile(root));
}

export function recordEvent(
  root: string,
  event: Omit<ReleaseEvent, 'at'>,
  change: Partial<Pick<ReleaseState, 'current' | 'previous'>> = {},
) {
  const state = readState(root);
  writeState(root, { ...state, ...change, history: [...state.history, { at: new Date().toISOString(), ...event }] });
}

/** The commit a ref names in the repository at `root` (a branch, tag or sha). */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  try {
    return (await exec('git', ['-C', root, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).stdout.trim();
  } catch {
    throw new Error(`${ref} is not a commit in ${root}; git fetch, then name a branch, tag or sha`);
  }
}

/** Writes the tree of `ref` into a new release directory (git archive: no .git, no untracked files). */
export async function createRelease(root: string, ref: string, now = new Date()): Promise<ReleaseInfo & { dir: string }> {
  const commit = await resolveCommit(root, ref);
  const id = `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${commit.slice(0, 7)}`;
  const dir = join(releasesDir(root), id);
  if (existsSync(dir)) throw new Error(`release ${id} exists already; wait a second and deploy again`);
  mkdirSync(dir, { recursive: true });
  const tarball = join(releasesDir(root), `.${id}.tar`);
  try {
    await exec('git', ['-C', root, 'archive', '--format=tar', `--output=${tarball}`, commit]);
    await extract({ file: tarball, cwd: dir, strict: true });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    rmSync(tarball, { force: true });
  }
  const info: ReleaseInfo = { id, ref, commit, createdAt: now.toISOString() };
  // backup's manifest and `./flux releases` read this (a release has no .git).
  writeFileSync(join(dir, 'RELEASE.json'), `${JSON.stringify(info, null, 2)}\n`);
  return { ...info, dir };
}

export function listReleases(root: string): (ReleaseInfo & { dir: string })[] {
  const dir = releasesDir(root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => RELEASE_ID.test(name) && existsSync(join(dir, name, 'RELEASE.json')))
    .sort()
    .map((name) => ({ ...(JSON.parse(readFileSync(join(dir, name, 'RELEASE.json'), 'utf8')) as ReleaseInfo), dir: join(dir, name) }));
}

/** Deletes all but the `keep` newest releases; the current and previous ones always stay. */
export function pruneReleases(root: string, keep = KEEP_RELEASES): string[] {
  const state = readState(root);
  const all = listReleases(root);
  const old = all.slice(0, Math.max(0, all.length - keep)).filter((r) => r.id !== state.current && r.id !== state.previous);
  for (const release of old) rmSync(release.dir, { recursive: true, force: true });
  return old.map((r) => r.id);
}
