export interface EventuallyOptions {
  /** Give up after this many ms (default 10 000). */
  timeout?: number;
  /** Wait this long between tries (default 20). */
  interval?: number;
  /** Names what was awaited in the timeout error. */
  what?: string;
}

/**
 * Retries `probe` until it passes, for effects that land after an answer (a queued job, a
 * broadcast, a flush). It passes when it neither throws nor returns `false`, `null` or
 * `undefined` (`0` and `''` pass); its value is returned:
 *
 *   await eventually(() => doc.getText('content').length > 0, { what: 'b sees the edit' });
 *   const row = await eventually(() => findNotification(db, id));     // undefined until it exists
 *   await eventually(async () => {                                    // assertions: return true at the end
 *     expect(await unread(bob)).toBe(1);
 *     return true;
 *   });
 *
 * On timeout it throws with the last failure as `cause` (and in the message).
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  { timeout = 10_000, interval = 20, what = 'condition' }: EventuallyOptions = {},
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== false && value !== null && value !== undefined) return value as Exclude<T, false | null | undefined>;
      last = new Error(`the probe returned ${String(value)}`);
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const reason = last instanceof Error ? last.message : String(last);
      throw new Error(`${what} did not hold within ${timeout} ms: ${reason}`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
