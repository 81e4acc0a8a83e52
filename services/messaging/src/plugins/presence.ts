import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { Presence } from '../realtime/presence.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Who is online, across instances. */
    presence: Presence;
  }
}

/** Presence in Redis, kept alive for this instance's sockets by a heartbeat well inside the TTL. */
export const presencePlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const presence = new Presence(app.redis, config.redisPrefix, config.presenceTtlSeconds);
    app.decorate('presence', presence);

    // Entries of a dead instance expire on their own; this instance's are refreshed here.
    const heartbeat = setInterval(
      () => presence.heartbeat().catch((err: unknown) => app.log.warn({ err }, 'presence heartbeat failed')),
      Math.max(1000, (config.presenceTtlSeconds * 1000) / 3),
    );
    heartbeat.unref();
    app.addHook('preClose', async () => {
      clearInterval(heartbeat);
    });
  },
  { name: 'messaging-presence', dependencies: ['flux-redis', 'messaging-realtime'] },
);
