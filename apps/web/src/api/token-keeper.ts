/**
 * Holds the access token in memory and keeps it fresh: one refresh shortly before expiry, done by
 * a single tab at a time (a Web Lock) and shared with the other tabs (a BroadcastChannel), so
 * tabs never race each other into the server's refresh-token reuse detection.
 */

export interface TokenGrant {
  accessToken: string;
  /** Seconds the access token is valid for, as the server says. */
  expiresIn: number;
}

export interface TokenState {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

type Message = { type: 'token'; accessToken: string; expiresAt: number } | { type: 'signed-out' };

export interface Channel {
  postMessage(message: Message): void;
  onmessage: ((event: { data: Message }) => void) | null;
  close(): void;
}

/**
 * A note all tabs can read synchronously (localStorage): when the newest token any tab obtained
 * expires. It holds no token, only a time, so the access token itself stays in memory.
 */
export interface SharedMarker {
  get(): number | null;
  set(expiresAt: number): void;
}

export interface TokenKeeperDeps<T> {
  /** Calls the server (cookie + CSRF); resolves with a new grant plus whatever else the answer carries. */
  refresh: () => Promise<TokenGrant & T>;
  /** Runs `fn` while holding a lock shared by all tabs. */
  withLock?: <R>(fn: () => Promise<R>) => Promise<R>;
  channel?: Channel | null;
  marker?: SharedMarker | null;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** How long before expiry to refresh: a tenth of the lifetime, between 5 s and 60 s. */
export function refreshLeadMs(lifetimeMs: number): number {
  return Math.min(60_000, Math.max(5_000, lifetimeMs / 10));
}

/** When to refresh a token that expires at `expiresAt`, counted from `now`. */
export function refreshDelayMs(expiresAt: number, lifetimeMs: number, now: number): number {
  return Math.max(0, expiresAt - now - refreshLeadMs(lifetimeMs));
}

const localMarker: SharedMarker | null =
  typeof localStorage === 'undefined'
    ? null
    : {
        get: () => Number(localStorage.getItem('flux.tokenExpiresAt')) || null,
        set: (expiresAt) => localStorage.setItem('flux.tokenExpiresAt', String(expiresAt)),
      };

const defaultLock = <R>(fn: () => Promise<R>): Promise<R> =>
  typeof navigator !== 'undefined' && navigator.locks ? (navigator.locks.request('flux-token-refresh', fn) as Promise<R>) : fn();

export class TokenKeeper<T = unknown> {
  private state: TokenState | null = null;
  private lifetimeMs = 15 * 60_000;
  private timer: unknown;
  private inflight: Promise<TokenState | null> | null = null;
  private readonly listeners = new Set<(state: TokenState | null, extra?: T) => void>();
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly withLock: <R>(fn: () => Promise<R>) => Promise<R>;
  private readonly marker: SharedMarker | null;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly deps: TokenKeeperDeps<T>) {
    this.now = deps.now ?? Date.now;
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.withLock = deps.withLock ?? defaultLock;
    this.marker = deps.marker === undefined ? localMarker : deps.marker;
    if (deps.channel) deps.channel.onmessage = (event) => this.receive(event.data);
  }

  get token(): string | null {
    return this.state && this.state.expiresAt > this.now() ? this.state.accessToken : null;
  }

  /** Listens for new tokens (from this tab or another) and sign-outs (`null`). */
  subscribe(listener: (state: TokenState | null, extra?: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adopts a grant from sign-in/sign-up and tells the other tabs. */
  set(grant: TokenGrant, extra?: T): void {
    const state = this.adopt(grant.accessToken, this.now() + grant.expiresIn * 1000, extra);
    this.marker?.set(state.expiresAt);
    this.deps.channel?.postMessage({ type: 'token', ...state });
  }

  /** Forgets the token here and in every other tab. */
  clear(): void {
    this.drop();
    this.deps.channel?.postMessage({ type: 'signed-out' });
  }

  /**
   * Gets a fresh token, once: concurrent callers in this tab share one promise, and a tab that
   * waited for the lock uses the token another tab just obtained instead of refreshing again.
   * Resolves with null when the session is gone.
   */
  refresh(): Promise<TokenState | null> {
    if (this.inflight) return this.inflight;
    const before = this.state;
    this.inflight = this.withLock(async () => {
      const fresh = (state: TokenState | null) =>
        state && state !== before && state.expiresAt - this.now() > refreshLeadMs(this.lifetimeMs) ? state : null;
      const current = fresh(this.state);
      if (current) return current;
      // The tab that held the lock before us may have refreshed, and its broadcast can arrive a
      // moment after the lock is ours: the shared marker says so; wait briefly for the token.
      const marked = this.marker?.get();
      // (A new tab, with no token yet, just refreshes: nobody is about to broadcast one to it.)
      if (before && marked && marked > before.expiresAt && marked - this.now() > refreshLeadMs(this.lifetimeMs)) {
        const arrived = fresh(await this.waitForToken(marked, 2_000));
        if (arrived) return arrived;
      }
      try {
        const grant = await this.deps.refresh();
        const { accessToken, expiresIn } = grant;
        const state = this.adopt(accessToken, this.now() + expiresIn * 1000, grant);
        this.marker?.set(state.expiresAt);
        this.deps.channel?.postMessage({ type: 'token', ...state });
        return state;
      } catch (error) {
        // Another tab may have refreshed while our request failed (e.g. reuse inside the grace window).
        if (this.state && this.state !== before && this.state.expiresAt > this.now()) return this.state;
        if (isAuthFailure(error)) this.clear();
        throw error;
      }
    }).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Resolves with the token once one expiring at `expiresAt` (or later) is here, or after `ms`. */
  private waitForToken(expiresAt: number, ms: number): Promise<TokenState | null> {
    if (this.state && this.state.expiresAt >= expiresAt) return Promise.resolve(this.state);
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(check);
        this.clearTimer(timer);
        resolve(this.state && this.state.expiresAt >= expiresAt ? this.state : null);
      };
      const check = () => {
        if (this.state && this.state.expiresAt >= expiresAt) done();
      };
      const timer = this.setTimer(done, ms);
      this.waiters.add(check);
    });
  }

  dispose(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.deps.channel?.close();
    this.listeners.clear();
  }

  private receive(message: Message): void {
    if (message.type === 'signed-out') this.drop();
    else if (!this.state || message.expiresAt > this.state.expiresAt) this.adopt(message.accessToken, message.expiresAt);
  }

  private adopt(accessToken: string, expiresAt: number, extra?: T): TokenState {
    const state = { accessToken, expiresAt };
    const lifetime = expiresAt - this.now();
    if (lifetime > 0) this.lifetimeMs = lifetime;
    this.state = state;
    this.schedule();
    for (const listener of this.listeners) listener(state, extra);
    for (const waiter of [...this.waiters]) waiter();
    return state;
  }

  private drop(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    this.state = null;
    for (const listener of this.listeners) listener(null);
  }

  private schedule(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    if (!this.state) return;
    const delay = refreshDelayMs(this.state.expiresAt, this.lifetimeMs, this.now());
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      // A failed background refresh is not fatal: the next request retries and reports it.
      this.refresh().catch(() => undefined);
    }, delay);
  }
}

/** 401 means the refresh cookie is gone or revoked; other failures (offline, 5xx) are worth retrying later. */
function isAuthFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: number }).status === 401;
}
