import websocket from '@fastify/websocket';
import { CollabCloseCodes } from '@flux/shared/constants';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

/** `@fastify/websocket` with collab's frame limit. */
export const websocketPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    await app.register(websocket, {
      options: { maxPayload: config.maxMessageBytes },
      // Shutdown: tell clients to come back (1012) rather than the default bare close.
      preClose(done) {
        for (const client of app.websocketServer.clients) client.close(CollabCloseCodes.serviceRestart, 'server restarting');
        app.websocketServer.close();
        done();
      },
    });
  },
  { name: 'collab-websocket', fastify: '5.x' },
);
