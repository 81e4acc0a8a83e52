import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRelease, listReleases, pruneReleases, recordEvent } from '../ops/releases.js';
import { releasesCommand } from './releases.js';

/** Release directories from a real git repository. */
describe('releases', () => {
  const root = mkdtempSync(join(tmpdir(), 'flux-releases-'));
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ops@test.flux.local');
  git('config', 'user.name', 'ops');
  writeFileSync(join(root, 'app.txt'), 'v1\n');
  git('add', 'app.txt');
  git('commit', '-q', '-m', 'v1');
  const v1 = git('rev-parse', 'HEAD');
  writeFileSync(join(root, 'app.txt'), 'v2\n');
  git('commit', '-q', '-am', 'v2');
  writeFileSync(join(root, 'app.txt'), 'uncommitted\n');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const at = (second: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, second));
  const list = async (...argv: string[]) => {
    const out: string[] = [];
    await releasesCommand(argv, { root, env: {}, out: (l) => out.push(l), err: (l) => out.push(l) });
    return out.join('\n');
  };

  it('builds a release from the committed tree of a ref, without .git or uncommitted changes', async () => {
    const release = await createRelease(root, v1.slice(0, 10), at(0));
    expect(release.id).toBe(`20300101T000000Z-${v1.slice(0, 7)}`);
    expect(readFileSync(join(release.dir, 'app.txt'), 'utf8')).toBe('v1\n');
    expect(existsSync(join(release.dir, '.git'))).toBe(false);
    expect(JSON.parse(readFileSync(join(release.dir, 'RELEASE.json'), 'utf8')).commit).toBe(v1);
    const head = await createRelease(root, 'main', at(1));
    expect(readFileSync(join(head.dir, 'app.txt'), 'utf8')).toBe('v2\n');
    await expect(createRelease(root, 'no-such-branch', at(2))).rejects.toThrow(/not a commit .*git fetch/);
  });

  it('lists releases with the serving and previous ones marked', async () => {
    const [first, second] = listReleases(root);
    recordEvent(root, { release: first!.id, event: 'deployed' }, { current: first!.id });
    recordEvent(root, { release: second!.id, event: 'deployed' }, { current: second!.id, previous: first!.id });
    const text = await list();
    expect(text).toMatch(new RegExp(`^< ${first!.id}`, 'm'));
    expect(text).toMatch(new RegExp(`^\\* ${second!.id}`, 'm'));
    const json = JSON.parse(await list('--json'));
    expect(json.current).toBe(second!.id);
    expect(json.history.map((e: { event: string }) => e.event)).toEqual(['deployed', 'deployed']);
  });

  it('keeps the five newest, and never the serving or previous release', async () => {
    for (let s = 10; s < 16; s++) await createRelease(root, 'main', at(s));
    expect(listReleases(root)).toHaveLength(8);
    const state = JSON.parse(await list('--json'));
    const pruned = pruneReleases(root);
    const left = listReleases(root).map((r) => r.id);
    expect(pruned).toHaveLength(1);
    expect(left).toContain(state.current);
    expect(left).toContain(state.previous);
    expect(left).toHaveLength(7); // five newest + the two in use
  });
});
