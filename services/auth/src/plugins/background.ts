import fp from 'fastify-plugin';
import { BackgroundTasks } from '../background.js';

declare module 'fastify' {
  interface FastifyInstance {
    background: BackgroundTasks;
  }
}

/**
 * Work done after answering (mail for a password reset or an invitation). It is drained in
 * preClose, which runs before every onClose, so the tasks still find PostgreSQL and the mailer open.
 */
export const backgroundPlugin = fp(
  async (app) => {
    const background = new BackgroundTasks(app.log);
    app.decorate('background', background);
    app.addHook('preClose', async () => background.drain());
  },
  { name: 'auth-background', fastify: '5.x', dependencies: ['flux-db', 'auth-mailer'] },
);
