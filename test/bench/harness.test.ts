// The pure parts of `./flux bench`: ratios, alternating rounds, merging results, the tables.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeResults, renderMarkdown, replaceTable, tableMarkers } from '../../bench/lib/results.js';
import type { ScenarioResult } from '../../bench/lib/scenario.js';
import { alternate, latencyFigures, ratioOf } from '../../bench/lib/stats.js';

const result = (p50: number): ScenarioResult => ({
  ours: { p50_ms: p50, per_s: 100 },
  baseline: { p50_ms: 1, per_s: 200 },
  ratio: ratioOf({ p50_ms: p50, per_s: 100 }, { p50_ms: 1, per_s: 200 }),
  params: { n: 10 },
  goals: [{ name: 'p50', target: '≤ 3 ms', value: p50, met: p50 <= 3 }],
});
const meta = { machine: 'm', cpus: 2, node: 'v24', commit: 'abc', date: '2026-01-01T00:00:00.000Z' };

describe('ratioOf', () => {
  it('divides matching keys and skips keys missing on either side or a zero or non-finite baseline', () => {
    expect(ratioOf({ a: 3, b: 1, c: 5, d: 2 }, { a: 2, c: 0, d: Number.NaN, e: 1 })).toEqual({ a: 1.5 });
  });
});

describe('latencyFigures', () => {
  it('names the percentiles with a prefix', () => {
    const figures = latencyFigures(
      Array.from({ length: 100 }, (_, i) => i + 1),
      'ack_',
    );
    expect(figures).toEqual({ ack_p50_ms: 51, ack_p90_ms: 91, ack_p99_ms: 100 });
  });
});

describe('alternate', () => {
  it('runs ours and the baseline in alternating order and merges their samples key by key', async () => {
    const calls: string[] = [];
    const merged = await alternate(
      3,
      async (round) => {
        calls.push(`ours${round}`);
        return { x: [round], y: [10 + round] };
      },
      async (round) => {
        calls.push(`base${round}`);
        return { x: [100 + round] };
      },
    );
    expect(calls).toEqual(['ours0', 'base0', 'base1', 'ours1', 'ours2', 'base2']);
    expect(merged).toEqual({ ours: { x: [0, 1, 2], y: [10, 11, 12] }, baseline: { x: [100, 101, 102] } });
  });
});

describe('mergeResults', () => {
  it('replaces the scenarios of this run, keeps the others, and records when each last ran', () => {
    const first = mergeResults({}, { a: result(1), b: result(2) }, meta);
    const second = mergeResults(first, { b: result(5) }, { ...meta, commit: 'def', date: '2026-02-02T00:00:00.000Z' });
    expect(second.a).toEqual(result(1));
    expect(second.b).toEqual(result(5));
    expect(second._meta).toEqual({
      ...meta,
      commit: 'def',
      date: '2026-02-02T00:00:00.000Z',
      ran: { a: { date: meta.date, commit: 'abc' }, b: { date: '2026-02-02T00:00:00.000Z', commit: 'def' } },
    });
  });
});

describe('the markdown table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-harness-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every figure with its ratio and every goal, and names the scenarios not measured yet', () => {
    const markdown = renderMarkdown(mergeResults({}, { a: result(4) }, meta), ['a', 'z']);
    expect(markdown).toContain('| a | p50_ms | 4.00 | 1.00 | ×4.00 |');
    expect(markdown).toContain('| a | per_s | 100 | 200 | ×0.50 |');
    expect(markdown).toContain('| a | p50 | ≤ 3 ms | 4.00 | MISSED |');
    expect(markdown).toContain('Not measured yet: z.');
  });

  it('replaces only the text between the markers', () => {
    const path = join(dir, 'BENCHMARKS.md');
    writeFileSync(path, `# B\nbefore\n${tableMarkers.START}\nold\n${tableMarkers.END}\nafter\n`);
    expect(replaceTable(path, 'new table')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(`# B\nbefore\n${tableMarkers.START}\nnew table\n${tableMarkers.END}\nafter\n`);
    expect(replaceTable(join(dir, 'missing.md'), 'x')).toBe(false);
  });
});
