import autocannon from 'autocannon';
import Fastify from 'fastify';
import type { BenchContext } from './run.js';
import { table } from './lib/stats.js';

/** HTTP overhead: a bare fastify hello vs our services' health routes (real DB + Redis round trips), direct and through nginx. */
export default async function http({ stack }: BenchContext): Promise<void> {
  const bare = Fastify();
  bare.get('/health', async () => ({ status: 'ok' }));
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

  const run = async (name: string, url: string) => {
    const result = await autocannon({ url, connections: 20, duration: 5 });
    return {
      name,
      throughput: result.requests.average,
      unit: ' req/s',
      summary: {
        n: result.requests.total,
        mean: result.latency.average,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
    };
  };
  try {
    table('HTTP: GET /health, 20 connections, 5 s each', [
      await run('bare fastify (baseline)', `${bareUrl}/health`),
      await run('auth /health direct (DB + Redis check)', `http://127.0.0.1:${stack.ports.auth}/health`),
      await run('auth /health through nginx', `${stack.url}/api/auth/health`),
    ]);
  } finally {
    await bare.close();
  }
}
