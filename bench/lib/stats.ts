/** Latency summaries and side-by-side tables for the benchmarks. */
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

export interface Row {
  name: string;
  /** Latency summary in milliseconds, or a throughput figure. */
  summary?: Summary;
  throughput?: number;
  unit?: string;
}

const fmt = (x: number | undefined, digits = 2) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits));

/** Prints rows with their ratio to the baseline row (first row unless named): >1 means slower / less throughput. */
export function table(title: string, rows: Row[], baseline = rows[0]?.name): void {
  const base = rows.find((r) => r.name === baseline);
  console.log(`\n## ${title}`);
  console.log(
    `${'case'.padEnd(44)} ${'n'.padStart(6)} ${'p50 ms'.padStart(9)} ${'p90 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'thru'.padStart(10)}  ratio`,
  );
  for (const row of rows) {
    const s = row.summary;
    let ratio = '-';
    if (base && row !== base) {
      if (s && base.summary) ratio = `p50 x${fmt(s.p50 / base.summary.p50)} p99 x${fmt(s.p99 / base.summary.p99)}`;
      else if (row.throughput && base.throughput) ratio = `x${fmt(row.throughput / base.throughput)} of baseline`;
    } else if (row === base) ratio = 'baseline';
    console.log(
      `${row.name.padEnd(44)} ${String(s?.n ?? '').padStart(6)} ${fmt(s?.p50).padStart(9)} ${fmt(s?.p90).padStart(9)} ${fmt(s?.p99).padStart(9)} ${(row.throughput ? `${fmt(row.throughput, 0)}${row.unit ?? '/s'}` : '').padStart(10)}  ${ratio}`,
    );
  }
}

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
