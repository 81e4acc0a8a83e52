import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { DocumentActivity } from '../rooms/document-activity.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Debounced `document.updated` events and `documents.updated_at` bumps. */
    documentActivity: DocumentActivity;
  }
}

/**
 * Registered before the update writer that feeds it, so it closes after the writer's final
 * flush and publishes what that flush reported.
 */
export const documentActivityPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const db: Kysely<Database> = app.db;
    const activity = new DocumentActivity(db, app.events, app.log, config.documentEventDebounceMs);
    app.decorate('documentActivity', activity);
    app.addHook('onClose', () => activity.close());
  },
  { name: 'collab-document-activity', fastify: '5.x', dependencies: ['flux-db', 'flux-events'] },
);
