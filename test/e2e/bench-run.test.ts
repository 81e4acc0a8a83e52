// `./flux bench` must finish: it once printed its last table and hung forever (a y-websocket
// provider's Awareness timer outlived the run). Runs bench/run.ts on a tiny scenario that starts
// the shared stack, as a child process, and checks that it exits by itself and writes its results.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bench-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs a scenario against the stack, writes the results and exits 0 with nothing left open', async () => {
  const results = join(dir, 'latest.json');
  const child = spawn(process.execPath, ['--import', 'tsx', 'run.ts', 'tiny'], {
    cwd: join(root, 'bench'),
    env: {
      ...process.env,
      BENCH_SCENARIOS_DIR: join(root, 'test/bench/scenarios'),
      BENCH_RESULTS: results,
      BENCH_MARKDOWN: join(dir, 'BENCHMARKS.md'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

  expect(code, output).toBe(0);
  // The runner names whatever still holds the event loop 10 s after the run before it leaves anyway.
  expect(output).not.toContain('still open');
  const written = JSON.parse(readFileSync(results, 'utf8'));
  expect(Object.keys(written.tiny.ours)).toEqual(['p50_ms', 'p90_ms', 'p99_ms']);
  expect(written.tiny.ratio.p50_ms).toBeGreaterThan(0);
  expect(written._meta.ran.tiny.commit).toBeTruthy();
}, 120_000);
