import { createServiceApp, type App } from '@flux/server-kit';
import { Server } from 'socket.io';
import type { Config } from './config.js';
import type { Database } from './db/database.js';

export interface BuildOptions {
  logger?: boolean;
}

export async function buildApp(config: Config, { logger = true }: BuildOptions = {}): Promise<App> {
  const { app } = await createServiceApp<Database>({ service: 'messaging', config, publicHealthPath: '/api/messages/health', logger });
  const io = new Server(app.server, { path: '/socket.io/', transports: ['websocket'], serveClient: false });
  app.addHook('onClose', async () => {
    await io.close();
  });
  return app;
}
