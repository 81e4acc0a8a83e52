// A scenario for the harness's own test: starts the shared stack, times a few requests through
// nginx against a bare local one, and returns, so the test can see `bench/run.ts` finish.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Scenario } from '../../../bench/lib/scenario.js';
import { atMost } from '../../../bench/lib/scenario.js';
import { alternate, latencyFigures, ratioOf } from '../../../bench/lib/stats.js';

const timed = async (url: string, n: number) => {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await (await fetch(url)).text();
    samples.push(performance.now() - started);
  }
  return { get_ms: samples };
};

const tiny: Scenario = {
  name: 'tiny',
  title: 'health through nginx vs a bare node:http server (harness test)',
  inDefaultRun: true,
  async run(ctx) {
    const stack = await ctx.stack();
    const bare = createServer((_req, res) => res.end('{"status":"ok"}'));
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    try {
      const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
      const samples = await alternate(
        2,
        () => timed(`${stack.url}/api/auth/health`, 5),
        () => timed(bareUrl, 5),
      );
      ctx.progress('measured');
      const ours = latencyFigures(samples.ours.get_ms!);
      const baseline = latencyFigures(samples.baseline.get_ms!);
      return { ours, baseline, ratio: ratioOf(ours, baseline), params: { requests: 10 }, goals: [atMost('p50', ours.p50_ms!, 1e9, ' ms')] };
    } finally {
      bare.closeAllConnections();
      await new Promise((resolve) => bare.close(resolve));
    }
  },
};
export default tiny;
