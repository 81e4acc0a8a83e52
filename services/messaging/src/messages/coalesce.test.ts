import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalesce.js';

/** A value to read and a read that can be held open, counting the reads that started. */
function source() {
  const state = { value: 0, reads: 0, release: [] as Array<() => void> };
  const read = () => {
    state.reads += 1;
    const seen = state.value;
    return new Promise<number>((resolve) => state.release.push(() => resolve(seen)));
  };
  const releaseAll = () => {
    for (const release of state.release.splice(0)) release();
  };
  return { state, read, releaseAll };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Coalescer', () => {
  it('never answers a caller from a read that started before it asked', async () => {
    const { state, read, releaseAll } = source();
    const reads = new Coalescer<number>();
    state.value = 1;
    const early = reads.run('k', read);
    state.value = 2; // committed after the first read started
    const late = [reads.run('k', read), reads.run('k', read)];
    releaseAll();
    expect(await early).toBe(1);
    await tick();
    releaseAll();
    expect(await Promise.all(late)).toEqual([2, 2]);
  });

  it('reads a key at most twice at a time however many callers ask', async () => {
    const { state, read, releaseAll } = source();
    const reads = new Coalescer<number>();
    const answers = Array.from({ length: 20 }, () => reads.run('k', read));
    const other = reads.run('other key', read);
    expect(state.reads).toBe(2);
    releaseAll();
    await tick();
    expect(state.reads).toBe(3);
    releaseAll();
    await Promise.all([...answers, other]);
    expect(state.reads).toBe(3);
  });

  it('runs the waiting callers’ own read when the running one fails', async () => {
    const reads = new Coalescer<string>();
    let fail = true;
    let release = () => {};
    const read = () =>
      new Promise<string>((resolve, reject) => {
        const failing = fail;
        release = () => (failing ? reject(new Error('database away')) : resolve('fresh'));
      });
    const first = reads.run('k', read);
    const waiting = reads.run('k', read);
    fail = false;
    release();
    await expect(first).rejects.toThrow('database away');
    await tick();
    release();
    expect(await waiting).toBe('fresh');
  });
});
