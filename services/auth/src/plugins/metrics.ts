import fp from 'fastify-plugin';
import { type AuthMetrics, createAuthMetrics } from '../security/metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Auth's own series (security events by type) on the service registry behind `/metrics`. */
    authMetrics: AuthMetrics;
  }
}

export const authMetricsPlugin = fp(
  async (app) => {
    app.decorate('authMetrics', createAuthMetrics(app.metrics));
  },
  { name: 'auth-metrics', fastify: '5.x', dependencies: ['flux-metrics'] },
);
