import fp from 'fastify-plugin';
import { ServiceTokens, type ServiceTokensOptions } from '../service-token.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Signs this service's calls to others and verifies calls to its `/internal/*` routes. */
    serviceTokens: ServiceTokens;
  }
}

export type ServiceTokensPluginOptions = ServiceTokensOptions;

export const fluxServiceTokens = fp<ServiceTokensPluginOptions>(
  async (app, options) => {
    app.decorate('serviceTokens', new ServiceTokens(options));
  },
  { name: 'flux-service-tokens', fastify: '5.x' },
);
