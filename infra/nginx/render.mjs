// Renders flux.conf.template into a runnable nginx config. Plain Node (no build step) so
// ./flux and the end-to-end tests can both call it: `node infra/nginx/render.mjs <prefix>`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

const servers = (list) => list.map((address) => `    server ${address} max_fails=0;`).join('\n');
const addresses = (value, fallback) =>
  value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [fallback];

/**
 * @param {{ prefix: string, port?: number|string, listen?: string, webRoot?: string, maxBody?: string,
 *           auth?: string[], messaging?: string[], collab?: string[] }} options
 * @returns {string} the path of the written config
 */
export function renderNginx(options) {
  const prefix = resolve(options.prefix);
  for (const dir of ['logs', 'tmp']) mkdirSync(join(prefix, dir), { recursive: true });
  const values = {
    PREFIX: prefix,
    CONF_DIR: here,
    MIME_TYPES: existsSync('/etc/nginx/mime.types') ? '/etc/nginx/mime.types' : join(here, 'mime.types'),
    PORT: String(options.port ?? 8080),
    LISTEN: options.listen ?? '127.0.0.1',
    WEB_ROOT: resolve(options.webRoot ?? join(root, 'apps/web/dist')),
    MAX_BODY: options.maxBody ?? '55m',
    AUTH_SERVERS: servers(options.auth ?? ['127.0.0.1:3001']),
    MESSAGING_SERVERS: servers(options.messaging ?? ['127.0.0.1:3004']),
    COLLAB_SERVERS: servers(options.collab ?? ['127.0.0.1:4000']),
  };
  const text = readFileSync(join(here, 'flux.conf.template'), 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (_, key) => {
    if (!(key in values)) throw new Error(`flux.conf.template uses an unknown placeholder {{${key}}}`);
    return values[key];
  });
  const file = join(prefix, 'nginx.conf');
  writeFileSync(file, text);
  return file;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const env = process.env;
  const file = renderNginx({
    prefix: process.argv[2] ?? join(root, '.flux/nginx'),
    port: env.FLUX_HTTP_PORT ?? 8080,
    listen: env.FLUX_HTTP_HOST,
    maxBody: env.FLUX_MAX_BODY,
    auth: addresses(env.FLUX_AUTH_UPSTREAMS, `127.0.0.1:${env.AUTH_PORT ?? 3001}`),
    messaging: addresses(env.FLUX_MESSAGING_UPSTREAMS, `127.0.0.1:${env.MESSAGING_PORT ?? 3004}`),
    collab: addresses(env.FLUX_COLLAB_UPSTREAMS, `127.0.0.1:${env.COLLAB_PORT ?? 4000}`),
  });
  console.log(file);
}
