import { RevokedSessions } from '@flux/server-kit';
import fp from 'fastify-plugin';
import { SessionSockets } from '../access/sessions.js';
import type { Config } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Revoked sessions and the open sockets of each session (closed 4401 on revocation or token expiry). */
    sessionSockets: SessionSockets;
  }
}

export const sessionsPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const sessions = new SessionSockets(new RevokedSessions(app.redis, config.redisPrefix, app.log));
    await sessions.follow(app.streams);
    app.decorate('sessionSockets', sessions);
  },
  { name: 'collab-sessions', fastify: '5.x', dependencies: ['flux-redis', 'flux-streams'] },
);
