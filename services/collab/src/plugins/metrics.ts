import fp from 'fastify-plugin';
import { type CollabMetrics, createCollabMetrics } from '../metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Collab's counters and timings; live gauges are registered by the plugins owning the state. */
    collabMetrics: CollabMetrics;
  }
}

export const collabMetricsPlugin = fp(
  async (app) => {
    app.decorate('collabMetrics', createCollabMetrics(app.metrics));
  },
  { name: 'collab-metrics', fastify: '5.x', dependencies: ['flux-metrics'] },
);
