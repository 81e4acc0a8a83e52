import fp from 'fastify-plugin';
import { DurableEvents } from '../streams.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Durable events on Redis streams (fed by the outbox relays): `consume` once per service, `follow` in every instance. */
    streams: DurableEvents;
  }
}

export interface StreamsPluginOptions {
  /** Each blocking reader opens its own connection to this URL. */
  url: string;
  prefix: string;
}

export const fluxStreams = fp<StreamsPluginOptions>(
  async (app, { url, prefix }) => {
    const streams = new DurableEvents(app.redis, { redisUrl: url, prefix, log: app.log });
    app.decorate('streams', streams);
    app.addHook('onClose', async () => {
      await streams.close();
    });
  },
  { name: 'flux-streams', fastify: '5.x', dependencies: ['flux-redis'] },
);
