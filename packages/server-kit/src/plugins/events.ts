import fp from 'fastify-plugin';
import { EventBus } from '../events.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Typed cross-service events over Redis pub/sub. */
    events: EventBus;
  }
}

export interface EventsPluginOptions {
  /** The subscriber opens its own connection to this URL (a subscribed connection cannot publish). */
  url: string;
  prefix: string;
}

export const fluxEvents = fp<EventsPluginOptions>(
  async (app, { url, prefix }) => {
    const events = new EventBus(app.redis, url, prefix, app.log);
    app.decorate('events', events);
    app.addHook('onClose', async () => {
      await events.close();
    });
  },
  { name: 'flux-events', fastify: '5.x', dependencies: ['flux-redis'] },
);
