import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';
import { registerMetrics } from '../metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry (never the global one); services add their own metrics to it. */
    metrics: Registry;
  }
}

export interface MetricsPluginOptions {
  service: string;
}

/** `app.metrics`, request counts and latency by route, and `GET /metrics`. */
export const fluxMetrics = fp<MetricsPluginOptions>(
  async (app, { service }) => {
    app.decorate('metrics', registerMetrics(app, service));
  },
  { name: 'flux-metrics', fastify: '5.x' },
);
