/** Latency summaries, ratios and the alternating runner the scenarios share. */
import type { Figures } from './scenario.js';

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const mean = sorted.reduce((sum, x) => sum + x, 0) / (sorted.length || 1);
  return { n: sorted.length, mean, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/** Rounds to three decimals: enough for milliseconds, and the JSON stays readable. */
export const round = (x: number): number => Math.round(x * 1000) / 1000;

/** `{ <prefix>p50_ms, <prefix>p90_ms, <prefix>p99_ms }` of latency samples in milliseconds. */
export function latencyFigures(samples: number[], prefix = ''): Figures {
  const s = summarize(samples);
  return { [`${prefix}p50_ms`]: round(s.p50), [`${prefix}p90_ms`]: round(s.p90), [`${prefix}p99_ms`]: round(s.p99) };
}

/** ours ÷ baseline for every key both have (finite, baseline not 0): > 1 means ours is higher. */
export function ratioOf(ours: Figures, baseline: Figures): Figures {
  const ratio: Figures = {};
  for (const [key, value] of Object.entries(ours)) {
    const base = baseline[key];
    if (base === undefined || base === 0 || !Number.isFinite(base) || !Number.isFinite(value)) continue;
    ratio[key] = round(value / base);
  }
  return ratio;
}

export type Samples = Record<string, number[]>;

/**
 * Runs ours and its baseline in `rounds` alternating rounds (ours first in even rounds, the
 * baseline first in odd ones), so a noisy neighbour or a warming cache hits both alike, and
 * merges each side's samples key by key.
 */
export async function alternate(
  rounds: number,
  ours: (round: number) => Promise<Samples>,
  baseline: (round: number) => Promise<Samples>,
): Promise<{ ours: Samples; baseline: Samples }> {
  const merged = { ours: {} as Samples, baseline: {} as Samples };
  const add = (into: Samples, samples: Samples) => {
    for (const [key, values] of Object.entries(samples)) into[key] = [...(into[key] ?? []), ...values];
  };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
    for (const side of order) add(merged[side], await (side === 'ours' ? ours : baseline)(round));
  }
  return merged;
}

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
