import { Counter, type Registry } from 'prom-client';

export interface AuthMetrics {
  securityEvents: Counter<'type'>;
}

/** Auth's own series on the service registry: sign-ins, failures, lockouts, reuse… by event type. */
export function createAuthMetrics(registry: Registry): AuthMetrics {
  return {
    securityEvents: new Counter({
      name: 'auth_security_events_total',
      help: 'Security events recorded by auth, by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
  };
}
