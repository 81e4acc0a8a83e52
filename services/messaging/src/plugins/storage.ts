import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { type FileStorage, LocalFileStorage } from '../files/storage.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where uploaded files' bytes live. */
    storage: FileStorage;
  }
}

/** The file storage; a local folder holds no connection, so there is nothing to close. */
export const storagePlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    app.decorate('storage', new LocalFileStorage(config.filesDir));
  },
  { name: 'messaging-storage' },
);
