// Many Socket.IO clients from several child processes (a process may open at most ~20,000 files
// here, and one event loop connecting 20,000 sockets would be the bottleneck), spread over several
// loopback source addresses so no (source address, port) pair runs out.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type SwarmCommand =
  | { type: 'open'; url: string; tokens: string[]; count: number; localAddresses: string[]; concurrency: number }
  | { type: 'hold' }
  | { type: 'report'; healthyPings: number; maxPingAge: number }
  | { type: 'close' };

export type SwarmReport =
  | { type: 'progress'; connected: number; failed: number }
  | { type: 'opened'; connected: number; failed: number; errors: Record<string, number> }
  | { type: 'report'; live: number; healthy: number; disconnects: number; minPings: number; oldestPingAge: number };

export interface SwarmOptions {
  url: string;
  /** access tokens, used round robin (none: unauthenticated clients) */
  tokens?: string[];
  count: number;
  processes: number;
  /** source addresses, round robin per client (127.0.0.x all reach loopback) */
  localAddresses: string[];
  /** connects in flight per process */
  concurrency?: number;
  onProgress?: (connected: number, failed: number) => void;
}

export interface SwarmHealth {
  live: number;
  /** live sockets that saw at least `healthyPings` heartbeats, the last within `maxPingAge` ms */
  healthy: number;
  disconnects: number;
  /** the fewest heartbeats any live socket saw since `hold()` */
  minPings: number;
  /** ms since the stalest live socket's last heartbeat */
  oldestPingAge: number;
}

const workerFile = fileURLToPath(new URL('./socket-swarm-worker.ts', import.meta.url));

type Reply<T extends SwarmReport['type']> = Extract<SwarmReport, { type: T }>;

function next<T extends SwarmReport['type']>(child: ChildProcess, type: T): Promise<Reply<T>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: SwarmReport) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as Reply<T>);
    };
    const onExit = (code: number | null) => reject(new Error(`swarm process exited (${code}) while waiting for "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export class SocketSwarm {
  private constructor(private readonly children: ChildProcess[]) {}

  /** Opens `count` clients and resolves once every attempt connected or failed. */
  static async open(
    options: SwarmOptions,
  ): Promise<SocketSwarm & { connected: number; failed: number; errors: Record<string, number>; seconds: number }> {
    // tsx's loader comes with process.execArgv, so the worker runs from its .ts source.
    const children = Array.from({ length: options.processes }, () =>
      fork(workerFile, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    const swarm = new SocketSwarm(children);
    const progress = children.map(() => ({ connected: 0, failed: 0 }));
    for (const [i, child] of children.entries())
      child.on('message', (message: SwarmReport) => {
        if (message.type === 'progress' || message.type === 'opened')
          progress[i] = { connected: message.connected, failed: message.failed };
      });
    const ticker = setInterval(() => {
      const sum = progress.reduce((a, p) => ({ connected: a.connected + p.connected, failed: a.failed + p.failed }), {
        connected: 0,
        failed: 0,
      });
      options.onProgress?.(sum.connected, sum.failed);
    }, 5000);
    const started = performance.now();
    try {
      const share = Math.ceil(options.count / options.processes);
      const opened = await Promise.all(
        children.map((child, i) => {
          const count = Math.max(0, Math.min(share, options.count - i * share));
          const tokens = options.tokens?.length ? options.tokens : [''];
          // Each process starts at its own offset so the tokens and addresses stay evenly used overall.
          const rotate = <T>(list: T[], by: number) => [...list.slice(by % list.length), ...list.slice(0, by % list.length)];
          const reply = next(child, 'opened');
          child.send({
            type: 'open',
            url: options.url,
            tokens: rotate(tokens, i * share),
            count,
            localAddresses: rotate(options.localAddresses, i * share),
            concurrency: options.concurrency ?? 64,
          } satisfies SwarmCommand);
          return reply;
        }),
      );
      const errors: Record<string, number> = {};
      for (const reply of opened) for (const [message, n] of Object.entries(reply.errors)) errors[message] = (errors[message] ?? 0) + n;
      return Object.assign(swarm, {
        connected: opened.reduce((sum, r) => sum + r.connected, 0),
        failed: opened.reduce((sum, r) => sum + r.failed, 0),
        errors,
        seconds: (performance.now() - started) / 1000,
      });
    } catch (err) {
      await swarm.close();
      throw err;
    } finally {
      clearInterval(ticker);
    }
  }

  /** Starts the hold: heartbeat and disconnect counts start from zero. */
  hold(): void {
    for (const child of this.children) child.send({ type: 'hold' } satisfies SwarmCommand);
  }

  async health(healthyPings: number, maxPingAge: number): Promise<SwarmHealth> {
    const replies = await Promise.all(
      this.children.map((child) => {
        const reply = next(child, 'report');
        child.send({ type: 'report', healthyPings, maxPingAge } satisfies SwarmCommand);
        return reply;
      }),
    );
    return {
      live: replies.reduce((sum, r) => sum + r.live, 0),
      healthy: replies.reduce((sum, r) => sum + r.healthy, 0),
      disconnects: replies.reduce((sum, r) => sum + r.disconnects, 0),
      minPings: Math.min(...replies.filter((r) => r.live > 0).map((r) => r.minPings), Number.POSITIVE_INFINITY),
      oldestPingAge: Math.max(0, ...replies.map((r) => r.oldestPingAge)),
    };
  }

  /** Disconnects every client and waits for the processes to exit (killed after 10 s). */
  async close(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        if (child.connected) child.send({ type: 'close' } satisfies SwarmCommand);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** `count` loopback source addresses from 127.0.0.2 (Linux routes all of 127/8 to lo). */
export const loopbackAddresses = (count: number) => Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
