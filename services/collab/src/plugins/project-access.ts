import { AuthClient } from '@flux/server-kit';
import fp from 'fastify-plugin';
import { ProjectAccessCache } from '../access/project-access.js';
import type { Config } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Auth's project access answers, cached briefly. */
    projectAccess: ProjectAccessCache;
  }
}

export const projectAccessPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    app.decorate('projectAccess', new ProjectAccessCache(new AuthClient(config.authUrl, app.serviceTokens), config.accessCacheMs));
  },
  { name: 'collab-project-access', fastify: '5.x', dependencies: ['flux-service-tokens'] },
);
