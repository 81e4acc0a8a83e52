import type { Command } from 'commander';
import type { Context } from '../context.js';
import { run } from '../exec.js';
import { build } from '../steps.js';

export async function bench(ctx: Context, args: string[]): Promise<number> {
  await build(ctx);
  ctx.ui.step('running benchmarks (bench/)');
  return (await run('pnpm', ['--filter', '@flux/bench', 'bench', ...args], { cwd: ctx.paths.root, stdio: 'inherit' })).code;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('bench')
    .argument('[args...]', 'passed to the benchmark runner (e.g. a filter)')
    .description('run the benchmarks against their baselines')
    .allowUnknownOption()
    .action(async (args: string[]) => {
      process.exitCode = await bench(ctx, args);
    });
}
