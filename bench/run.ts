// `./flux bench [scenario...] [--markdown]`: runs the named scenarios (default: those in the
// default run) against one private stack (built services behind the project's nginx, like
// `./flux up`), prints a table, merges the figures into bench/results/latest.json and renders
// BENCHMARKS.md's table from it. `--markdown` only renders the table from the last results.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { migrate } from '@flux/migrations';
import { Stack } from '../test/e2e/stack.js';
import { mergeResults, readResults, renderMarkdown, renderText, replaceTable, writeResults } from './lib/results.js';
import type { BenchContext, Scenario, ScenarioResult } from './lib/scenario.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '..');
// Overridable so the harness's own test runs a tiny scenario into a scratch file.
const scenariosDir = resolve(process.env.BENCH_SCENARIOS_DIR ?? `${here}scenarios`);
const resultsPath = resolve(process.env.BENCH_RESULTS ?? `${here}results/latest.json`);
const markdownPath = resolve(process.env.BENCH_MARKDOWN ?? `${root}/BENCHMARKS.md`);
/** The order; scenarios not named here follow it. */
const ORDER = [
  'connections',
  'messaging_latency',
  'messaging_fanout',
  'messaging_throughput',
  'rest_read',
  'collab_sync',
  'collab_load',
  'auth',
];
/**
 * Limits not under test lifted (their checks still run on every request): one account invites
 * everyone, every client shares 127.0.0.1, and the load scenarios send far past one person's pace.
 */
const STACK_ENV = {
  AUTH_INVITATIONS_PER_HOUR: '100000',
  MAX_SOCKETS_PER_IP: '100000',
  MESSAGE_RATE_LIMIT: '1000000',
  SOCKET_EVENT_LIMIT: '1000000',
};
/** How long a finished run may take to let go of its last handles before it is called a leak. */
const DRAIN_MS = 10_000;

const args = process.argv.slice(2);
const markdownOnly = args.includes('--markdown');
const names = args.filter((a) => !a.startsWith('--'));

/** The scenarios in `files` (all when none are named), in the order, and the files that did not load. */
async function loadScenarios(wanted: string[]): Promise<{ scenarios: Scenario[]; broken: string[] }> {
  const available = readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => basename(f, '.ts'));
  const unknown = wanted.filter((name) => !available.includes(name));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; there are: ${available.join(', ')}`);
  const scenarios: Scenario[] = [];
  const broken: string[] = [];
  for (const name of wanted.length > 0 ? wanted : available) {
    try {
      const scenario = ((await import(pathToFileURL(`${scenariosDir}/${name}.ts`).href)) as { default?: Scenario }).default;
      if (scenario?.name !== name) throw new Error(`must \`export default\` a Scenario named ${name}`);
      scenarios.push(scenario);
    } catch (error) {
      console.error(`[${name}] cannot be loaded:`, error);
      broken.push(name);
    }
  }
  const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  return { scenarios: scenarios.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name)), broken };
}

const order = (results: object) => [
  ...ORDER,
  ...Object.keys(results)
    .filter((k) => k !== '_meta' && !ORDER.includes(k))
    .sort(),
];

/** Renders BENCHMARKS.md's table from the results; prints it instead when asked and the file has no place for it. */
function renderBenchmarks(print: boolean): void {
  const results = readResults(resultsPath);
  const markdown = renderMarkdown(results, order(results));
  if (replaceTable(markdownPath, markdown)) console.log(`table written to ${markdownPath}`);
  else if (print) console.log(markdown);
}

const git = (...a: string[]) => {
  try {
    return execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};

const meta = () => ({
  machine: cpus()[0]?.model ?? 'unknown',
  cpus: cpus().length,
  node: process.version,
  commit: git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : ''),
  date: new Date().toISOString(),
});

async function main(): Promise<number> {
  if (markdownOnly) {
    renderBenchmarks(true);
    return 0;
  }
  const { scenarios, broken } = await loadScenarios(names);
  const chosen = names.length > 0 ? scenarios : scenarios.filter((s) => s.inDefaultRun);

  const base = (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flux').replace(/\/[^/]*$/, '');
  process.env.DATABASE_URL = `${base}/flux_bench`;
  process.env.REDIS_PREFIX = `flux-bench-${process.pid}:`;
  await migrate(process.env.DATABASE_URL, { createDatabase: true });

  const started = performance.now();
  console.log(`# FluxStudio benchmarks (${new Date().toISOString()}, node ${process.version}): ${chosen.map((s) => s.name).join(', ')}`);
  let stack: Promise<Stack> | undefined;
  // Interrupted (Ctrl-C, a timeout's SIGTERM): stop the stack first, or its services outlive the run.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the stack`);
      void (stack ? stack.then((s) => s.stop()) : Promise.resolve()).finally(() => process.exit(130));
    });
  const run: Record<string, ScenarioResult> = {};
  let failed = broken.length;
  try {
    for (const scenario of chosen) {
      const scenarioStarted = performance.now();
      const ctx: BenchContext = {
        stack: () => (stack ??= new Stack(STACK_ENV).start()),
        progress: (message) => console.log(`[${scenario.name} +${((performance.now() - scenarioStarted) / 1000).toFixed(1)}s] ${message}`),
      };
      console.log(`\n> ${scenario.name}: ${scenario.title}`);
      try {
        run[scenario.name] = await scenario.run(ctx);
        // Merged as each scenario finishes: an interrupted run keeps what it measured.
        writeResults(resultsPath, mergeResults(readResults(resultsPath), { [scenario.name]: run[scenario.name]! }, meta()));
        ctx.progress('done');
      } catch (error) {
        failed++;
        console.error(`[${scenario.name}] failed:`, error);
      }
    }
  } finally {
    if (stack) await (await stack).stop();
  }

  const results = readResults(resultsPath);
  console.log(`\n${renderText(results, Object.keys(run))}\n`);
  console.log(`results merged into ${resultsPath} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  renderBenchmarks(false);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  return 2;
});
// Everything is closed by now and the process ends by itself. If something still holds the event
// loop (a socket, a timer: the bug that once hung `./flux bench` forever), name it and leave anyway.
setTimeout(() => {
  console.error(`bench: still open ${DRAIN_MS / 1000} s after the run: ${process.getActiveResourcesInfo().join(', ')}`);
  process.exit(process.exitCode);
}, DRAIN_MS).unref();
