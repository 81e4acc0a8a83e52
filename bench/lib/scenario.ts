// The contract between `./flux bench` (bench/run.ts) and one scenario (bench/scenarios/<name>.ts,
// `export default` a Scenario). A scenario measures ours and its baseline in the same run and
// returns figures with the same keys, so the runner can put them side by side.
import type { Stack } from '../../test/e2e/stack.js';

export type { Stack };

export type Figures = Record<string, number>; // e.g. { p50_ms, p99_ms, per_s, rss_kb_per_conn }
export interface Goal {
  name: string;
  target: string;
  value: number;
  met: boolean;
}
export interface ScenarioResult {
  ours: Figures;
  baseline: Figures;
  ratio: Figures;
  params: Record<string, unknown>;
  goals: Goal[];
}
export interface BenchContext {
  /** the shared private stack (built services behind the project's nginx), started on first use */
  stack(): Promise<Stack>;
  /** one progress line (the runner prefixes the scenario and elapsed time) */
  progress(message: string): void;
}
export interface Scenario {
  name: string;
  title: string;
  inDefaultRun: boolean;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

/** A goal met when `value` ≤ `limit` (latencies, memory, ratios where lower is better). */
export const atMost = (name: string, value: number, limit: number, unit = ''): Goal => ({
  name,
  target: `≤ ${limit}${unit}`,
  value,
  met: value <= limit,
});

/** A goal met when `value` ≥ `limit` (rates, shares). */
export const atLeast = (name: string, value: number, limit: number, unit = ''): Goal => ({
  name,
  target: `≥ ${limit}${unit}`,
  value,
  met: value >= limit,
});
