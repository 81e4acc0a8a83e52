import websocket from '@fastify/websocket';
import { createServiceApp, type App } from '@flux/server-kit';
import type { Config } from './config.js';
import type { Database } from './db/database.js';

export interface BuildOptions {
  logger?: boolean;
}

export async function buildApp(config: Config, { logger = true }: BuildOptions = {}): Promise<App> {
  const { app } = await createServiceApp<Database>({ service: 'collab', config, publicHealthPath: '/collab/health', logger, health: () => ({ connections: 0, activeRooms: 0 }) });
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  app.get('/collab/:documentId', { websocket: true }, (socket) => {
    socket.close(4401, 'unauthorized');
  });
  return app;
}
