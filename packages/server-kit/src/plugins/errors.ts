import fp from 'fastify-plugin';
import { registerErrorHandling } from '../errors.js';

/** The one error handler (contract envelope, 5xx hidden and logged) and the 404 for unknown routes. */
export const fluxErrors = fp(
  async (app) => {
    registerErrorHandling(app);
  },
  { name: 'flux-errors', fastify: '5.x' },
);
