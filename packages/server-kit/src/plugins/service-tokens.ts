import type { ServiceName } from '@flux/shared';
import fp from 'fastify-plugin';
import { ServiceTokens } from '../service-token.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Signs this service's calls to others and verifies calls to its `/internal/*` routes. */
    serviceTokens: ServiceTokens;
  }
}

export interface ServiceTokensPluginOptions {
  secret: string;
  service: ServiceName;
}

export const fluxServiceTokens = fp<ServiceTokensPluginOptions>(
  async (app, { secret, service }) => {
    app.decorate('serviceTokens', new ServiceTokens(secret, service));
  },
  { name: 'flux-service-tokens', fastify: '5.x' },
);
