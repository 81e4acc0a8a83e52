import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; from 1 ms to 10 s, enough resolution around the 500 ms p99 the alerts watch. */
export const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `2xx`, `4xx`, `5xx`: few series per route, and the error rate is one label match. */
export const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;

/**
 * A registry per app (never the global one) so several apps can live in one test process, with
 * the RED metrics of every route: rate and errors (`http_requests_total`) and duration
 * (`http_request_duration_seconds`), by route pattern (never the raw URL: ids would explode the
 * series), method and status class.
 */
export function registerMetrics(app: FastifyInstance, service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_class'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route pattern and status class',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status class',
    labelNames,
    buckets: durationBuckets,
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    const labels = { method: request.method, route, status_class: statusClass(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return registry;
}

/**
 * A gauge read when scraped. A reading that fails (its dependency is down) leaves the series out
 * of that scrape instead of failing the whole `/metrics` answer.
 */
export function scrapedGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: (set: (labels: Partial<Record<L, string>>, value: number) => void) => Promise<void> | void,
): Gauge<L> {
  return new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        await read((labels, value) => this.set(labels, value));
      } catch {
        // Already reset: the series is absent, which `absent()` / staleness alerts notice.
      }
    },
  });
}
