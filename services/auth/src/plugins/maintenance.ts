import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { startMaintenance } from '../jobs/purge-expired.js';

/**
 * The purge scheduler and its worker (when AUTH_JOBS is on). Registered after the core plugins, so
 * fastify closes it first: a running purge finishes while PostgreSQL is still open.
 */
export const maintenancePlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const maintenance = startMaintenance(config, app.db, app.log);
    app.addHook('onClose', async () => maintenance.close());
  },
  { name: 'auth-maintenance', fastify: '5.x', dependencies: ['flux-db', 'flux-redis'] },
);
