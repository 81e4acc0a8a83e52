import { describe, expect, it } from 'vitest';
import { refreshDelayMs, TokenKeeper, type Channel, type TokenGrant } from './token-keeper.js';

/** A fake clock with timers that run when time is advanced. */
function clock() {
  let now = 1_000_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (id: unknown) => timers.delete(id as number),
    advance(ms: number) {
      now += ms;
      for (const [id, timer] of [...timers]) {
        if (timer.at <= now) {
          timers.delete(id);
          timer.fn();
        }
      }
    },
    pending: () => [...timers.values()].map((t) => t.at - now),
  };
}

/** Two BroadcastChannel ends that deliver to each other (not to themselves), like the real thing. */
function channelPair(): [Channel, Channel] {
  const a: Channel = { onmessage: null, postMessage: (m) => queueMicrotask(() => b.onmessage?.({ data: m })), close() {} };
  const b: Channel = { onmessage: null, postMessage: (m) => queueMicrotask(() => a.onmessage?.({ data: m })), close() {} };
  return [a, b];
}

/** A Web Lock stand-in: one holder at a time, in request order. */
function lock() {
  let tail: Promise<unknown> = Promise.resolve();
  return <R>(fn: () => Promise<R>): Promise<R> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('refresh scheduling', () => {
  it('refreshes a 15-minute token one minute before it expires', () => {
    expect(refreshDelayMs(1_000 + 900_000, 900_000, 1_000)).toBe(840_000);
  });

  it('refreshes short-lived tokens with a proportional margin, never in the past', () => {
    expect(refreshDelayMs(100_000, 100_000, 0)).toBe(90_000);
    expect(refreshDelayMs(1_000, 900_000, 5_000)).toBe(0);
  });

  it('calls the server shortly before expiry and keeps going with each new token', async () => {
    const c = clock();
    let calls = 0;
    const keeper = new TokenKeeper({
      refresh: async (): Promise<TokenGrant> => ({ accessToken: `t${++calls}`, expiresIn: 900 }),
      withLock: (fn) => fn(),
      ...c,
    });
    keeper.set({ accessToken: 't0', expiresIn: 900 });
    expect(c.pending()).toEqual([840_000]);
    c.advance(839_999);
    expect(calls).toBe(0);
    c.advance(1);
    await flush();
    expect(calls).toBe(1);
    expect(keeper.token).toBe('t1');
    c.advance(840_000);
    await flush();
    expect(keeper.token).toBe('t2');
  });
});

describe('TokenKeeper', () => {
  it('shares one refresh among concurrent callers in a tab', async () => {
    let calls = 0;
    let release!: () => void;
    const keeper = new TokenKeeper({
      refresh: () =>
        new Promise<TokenGrant>((resolve) => {
          calls++;
          release = () => resolve({ accessToken: 'fresh', expiresIn: 900 });
        }),
      withLock: (fn) => fn(),
    });
    const results = Promise.all([keeper.refresh(), keeper.refresh(), keeper.refresh()]);
    await flush();
    release();
    const states = await results;
    expect(calls).toBe(1);
    expect(states.map((s) => s?.accessToken)).toEqual(['fresh', 'fresh', 'fresh']);
    keeper.dispose();
  });

  it('refreshes once for all tabs: the waiting tab adopts the token the other tab got', async () => {
    const [channelA, channelB] = channelPair();
    const sharedLock = lock();
    let serverCalls = 0;
    const refresh = async (): Promise<TokenGrant> => {
      serverCalls++;
      await flush();
      return { accessToken: `rotated-${serverCalls}`, expiresIn: 900 };
    };
    const tabA = new TokenKeeper({ refresh, withLock: sharedLock, channel: channelA });
    const tabB = new TokenKeeper({ refresh, withLock: sharedLock, channel: channelB });

    const [a, b] = await Promise.all([tabA.refresh(), tabB.refresh()]);
    expect(serverCalls).toBe(1);
    expect(a?.accessToken).toBe('rotated-1');
    expect(b?.accessToken).toBe('rotated-1');
    expect(tabB.token).toBe('rotated-1');
  });

  it('does not refresh again when the other tab’s token arrives only after the lock is released', async () => {
    // Real browsers do not order BroadcastChannel delivery with Web Lock hand-over.
    let stored: number | null = null;
    const marker = {
      get: () => stored,
      set: (at: number) => {
        stored = at;
      },
    };
    const slowPair = (): [Channel, Channel] => {
      const a: Channel = { onmessage: null, postMessage: (m) => setTimeout(() => b.onmessage?.({ data: m }), 20), close() {} };
      const b: Channel = { onmessage: null, postMessage: (m) => setTimeout(() => a.onmessage?.({ data: m }), 20), close() {} };
      return [a, b];
    };
    const [channelA, channelB] = slowPair();
    const sharedLock = lock();
    let serverCalls = 0;
    const refresh = async (): Promise<TokenGrant> => ({ accessToken: `rotated-${++serverCalls}`, expiresIn: 900 });
    const tabA = new TokenKeeper({ refresh, withLock: sharedLock, channel: channelA, marker });
    const tabB = new TokenKeeper({ refresh, withLock: sharedLock, channel: channelB, marker });
    tabA.set({ accessToken: 'start', expiresIn: 900 });
    await new Promise((r) => setTimeout(r, 40));
    expect(tabB.token).toBe('start');

    const [a, b] = await Promise.all([tabA.refresh(), tabB.refresh()]);
    expect(serverCalls).toBe(1);
    expect(a?.accessToken).toBe('rotated-1');
    expect(b?.accessToken).toBe('rotated-1');
    tabA.dispose();
    tabB.dispose();
  });

  it('signs every tab out when one signs out or the session is gone', async () => {
    const [channelA, channelB] = channelPair();
    const tabA = new TokenKeeper({
      refresh: async () => ({ accessToken: 'x', expiresIn: 900 }),
      withLock: (fn) => fn(),
      channel: channelA,
    });
    const tabB = new TokenKeeper({
      refresh: async () => Promise.reject(Object.assign(new Error('revoked'), { status: 401 })),
      withLock: (fn) => fn(),
      channel: channelB,
    });
    const seenByA: Array<string | null> = [];
    tabA.subscribe((state) => seenByA.push(state?.accessToken ?? null));
    tabA.set({ accessToken: 'a', expiresIn: 900 });
    await flush();
    expect(tabB.token).toBe('a');

    await expect(tabB.refresh()).rejects.toThrow('revoked');
    await flush();
    expect(tabB.token).toBeNull();
    expect(tabA.token).toBeNull();
    expect(seenByA).toEqual(['a', null]);
  });

  it('keeps the session when a refresh fails for a reason other than 401 (offline)', async () => {
    const keeper = new TokenKeeper({
      refresh: async () => Promise.reject(Object.assign(new Error('offline'), { status: 0 })),
      withLock: (fn) => fn(),
    });
    keeper.set({ accessToken: 'still-good', expiresIn: 900 });
    await expect(keeper.refresh()).rejects.toThrow('offline');
    expect(keeper.token).toBe('still-good');
    keeper.dispose();
  });
});
