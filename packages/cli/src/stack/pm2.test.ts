import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext } from '../context.js';
import { writeState } from '../ops/releases.js';
import { repoRoot } from '../paths.js';
import { createUi } from '../ui.js';
import { pm2, serviceApp } from './pm2.js';

/** Which PM2 app `./flux restart` and `./flux logs` address, against a real PM2 with its own PM2_HOME. */
describe('serviceApp', () => {
  const root = mkdtempSync(join(tmpdir(), 'flux-pm2-'));
  const base = createContext({ env: {}, ui: createUi() });
  const ctx = { ...base, paths: { ...base.paths, root, pm2Home: join(root, 'pm2') } };
  const release = '20300101T000000Z-abc1234';
  // pm2() runs <root>/node_modules/pm2: the repository's.
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  afterAll(async () => {
    await pm2(ctx, ['kill']);
    rmSync(root, { recursive: true, force: true });
  });

  it("is the serving release's app after a deploy, else the checkout's own name", async () => {
    expect(await serviceApp(ctx, 'auth')).toBe('auth'); // no release yet
    writeState(root, { current: release, previous: null, history: [] });
    expect(await serviceApp(ctx, 'auth')).toBe('auth'); // recorded, but PM2 does not run it (./flux up since)
    writeFileSync(join(root, 'idle.cjs'), 'setInterval(() => {}, 1000);\n');
    const started = await pm2(ctx, ['start', join(root, 'idle.cjs'), '--name', `auth@${release}`]);
    expect(started.code).toBe(0);
    expect(await serviceApp(ctx, 'auth')).toBe(`auth@${release}`);
    expect(await serviceApp(ctx, 'collab')).toBe('collab');
  }, 60_000);
});
