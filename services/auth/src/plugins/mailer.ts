import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { createMailer, type Mailer } from '../mail/mailer.js';

declare module 'fastify' {
  interface FastifyInstance {
    mailer: Mailer;
  }
}

/** SMTP, or (outside production) the dev outbox table; the SMTP pool closes with the app. */
export const mailerPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const mailer = createMailer(config, app.db);
    app.decorate('mailer', mailer);
    app.addHook('onClose', async () => mailer.close());
  },
  { name: 'auth-mailer', fastify: '5.x', dependencies: ['flux-db'] },
);
