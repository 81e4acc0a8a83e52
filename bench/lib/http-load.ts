// HTTP load with autocannon, as figures: requests per second and latency percentiles.
import autocannon from 'autocannon';
import type { Figures } from './scenario.js';

/** Runs autocannon and returns `{ per_s, p50_ms, p90_ms, p99_ms }` (non-2xx answers counted apart, in `non_2xx`). */
export async function httpLoad(options: autocannon.Options): Promise<Figures> {
  const result = await autocannon({ connections: 20, duration: 5, ...options });
  return {
    per_s: result.requests.average,
    p50_ms: result.latency.p50,
    p90_ms: result.latency.p90,
    p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
  };
}
