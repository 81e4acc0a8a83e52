import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { RoomRelay } from '../rooms/relay.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Redis pub/sub between instances holding the same room. */
    roomRelay: RoomRelay;
  }
}

export const roomRelayPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const relay = new RoomRelay(app.redis, config.redisUrl, config.redisPrefix, app.log);
    app.decorate('roomRelay', relay);
    app.addHook('onClose', () => relay.close());
  },
  { name: 'collab-relay', fastify: '5.x', dependencies: ['flux-redis'] },
);
