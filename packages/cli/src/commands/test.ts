import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { run } from '../exec.js';
import { build, ensureDevSecrets, runMigrations } from '../steps.js';

/** `turbo run //#lint` (Biome, warnings are errors): true when clean; prints what it found otherwise. */
export async function lint(ctx: Context): Promise<boolean> {
  ctx.ui.step('linting (biome check --error-on-warnings, via turbo)');
  const result = await run(join(ctx.paths.root, 'node_modules/.bin/turbo'), ['run', '//#lint', '--output-logs=new-only'], {
    cwd: ctx.paths.root,
  });
  const output = (result.stdout + result.stderr).split('\n');
  const summary = output.filter((l) => /^(Checked|Found) /.test(l.replace(/^.*?lint: /, '').trim()));
  if (result.code === 0) {
    ctx.ui.note(summary.map((l) => l.replace(/^.*?lint: /, '').trim()).join('; ') || 'clean');
    return true;
  }
  for (const line of output.slice(-60)) ctx.ui.note(line);
  ctx.ui.error('lint failed (above)', 'run pnpm lint to see every finding; pnpm format fixes formatting');
  return false;
}

/** Lint, then the whole vitest suite on a fresh test database and its own Redis prefix. */
export async function test(ctx: Context, vitestArgs: string[]): Promise<number> {
  await build(ctx);
  await ensureDevSecrets(ctx);
  const clean = await lint(ctx);
  const env = { ...process.env, DATABASE_URL: ctx.env.testDatabaseUrl, REDIS_PREFIX: `flux-test-${process.pid}:` };
  await runMigrations(ctx, ctx.env.testDatabaseUrl, { reset: true });
  ctx.ui.step('running the test suite (vitest)');
  const results = join(ctx.paths.state, 'test-results.json');
  rmSync(results, { force: true });
  const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...vitestArgs];
  const { code } = await run(join(ctx.paths.root, 'node_modules/.bin/vitest'), args, { cwd: ctx.paths.root, env, stdio: 'inherit' });
  // One plain closing line that any CI reader understands.
  const summary = existsSync(results)
    ? (JSON.parse(readFileSync(results, 'utf8')) as { numPassedTests: number; numFailedTests: number })
    : undefined;
  ctx.ui.line(
    `tests: ${summary ? `${summary.numPassedTests} passed, ${summary.numFailedTests} failed` : 'no results'}; lint: ${clean ? 'clean' : 'FAILED'}`,
  );
  return code !== 0 ? code : clean ? 0 : 1;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('test')
    .argument('[vitest args...]', 'passed to vitest (files, -t name, …)')
    .description('lint, then the whole test suite against real PostgreSQL, Redis, nginx and Chromium')
    .allowUnknownOption()
    .action(async (args: string[]) => {
      process.exitCode = await test(ctx, args);
    });
}
