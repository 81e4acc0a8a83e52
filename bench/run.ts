// Runs every bench/*.bench.ts in name order against one private stack (built services behind
// the project's nginx, like `./flux up`), each beside its baseline in the same run.
// `./flux bench [filter]` builds first; a filter runs only the benches whose file name contains it.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrate } from '@flux/migrations';
import { Stack } from '../test/e2e/stack.js';

export interface BenchContext {
  stack: Stack;
}
export type Bench = (context: BenchContext) => Promise<void>;

const here = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no bench/*.bench.ts matches "${filter}"`);
  process.exit(1);
}

const base = (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux').replace(/\/[^/]*$/, '');
process.env.DATABASE_URL = `${base}/flux_bench`;
process.env.REDIS_PREFIX = `flux-bench-${process.pid}:`;
await migrate(process.env.DATABASE_URL, { createDatabase: true });

console.log(`# FluxStudio benchmarks (${new Date().toISOString()}, node ${process.version}, ${files.length} suites)`);
// The messaging bench invites 100+ people from one account: past the per-inviter mail budget on purpose.
const stack = await new Stack({ AUTH_INVITATIONS_PER_HOUR: '100000' }).start();
try {
  for (const file of files) {
    process.stdout.write(`\n> ${file} ...\n`);
    const started = performance.now();
    const bench = (await import(`./${file}`)) as { default: Bench };
    await bench.default({ stack });
    console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
} finally {
  await stack.stop();
}
