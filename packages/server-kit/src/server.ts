import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { ConfigError, type BaseConfig } from './config.js';

/**
 * Starts a service: reads config once (exit 1 listing every bad setting), builds the app,
 * listens, tells PM2 it is ready, and on SIGTERM/SIGINT stops accepting, drains and closes pools.
 */
export async function runService<C extends BaseConfig>(
  loadConfig: () => C,
  buildApp: (config: C) => Promise<FastifyInstance>,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`${err.message}\nFix the settings above (see README, "Configuration") and start again.`);
    process.exit(1);
  }
  const app = await buildApp(config);
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'fatal error; shutting down');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    app.log.fatal({ err }, `cannot listen on ${config.host}:${config.port}; is another process using the port?`);
    process.exit(1);
  }
  process.send?.('ready');
}
