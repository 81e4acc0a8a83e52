import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type RegisteredService, type ServiceEntry, serviceAddresses, serviceRegistry } from '@flux/shared/registry';
import { run } from '../exec.js';
import { repoRoot } from '../paths.js';

export interface NginxOptions {
  /** folder for nginx.conf, pid, logs and temp files */
  prefix: string;
  port: number;
  /** listen address; default 127.0.0.1 */
  address?: string;
  /** `host:port` of every instance per service */
  upstreams: Record<RegisteredService, readonly string[]>;
  /** refuse the registry's development routes at the gateway */
  production?: boolean;
  tls?: { cert: string; key: string };
  webRoot?: string;
  maxBody?: string;
  /** the repository whose infra/nginx template is used */
  root?: string;
}

const indent = (text: string, spaces: number) =>
  text
    .split('\n')
    .map((line) => (line ? ' '.repeat(spaces) + line : line))
    .join('\n');

const notFound = (message: string) => `default_type application/json;\nreturn 404 '{"error":{"code":"not_found","message":"${message}"}}';`;

function upstream(service: ServiceEntry, servers: readonly string[]): string {
  const balance = {
    none: [],
    // Socket.IO needs stickiness only for long-polling; websocket-only clients do not care.
    client: ['hash $remote_addr consistent;'],
    connections: ['least_conn;'],
    // Yjs rooms live in a process: every connection of one document reaches the same instance
    // (the document id from the path, not $request_uri, whose ?token= differs per client).
    document: ['hash $collab_document consistent;'],
  }[service.affinity];
  const lines = [...balance, ...servers.map((s) => `server ${s} max_fails=0;`), 'keepalive 32;'];
  return `  upstream ${service.name} {\n${indent(lines.join('\n'), 4)}\n  }`;
}

function listen(address: string, port: number, tls?: NginxOptions['tls']): string {
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  if (!tls) return `    listen ${host}:${port};`;
  return indent(
    [
      // `listen … http2` rather than `http2 on;`, which needs nginx ≥ 1.25 (Debian 12 ships 1.22).
      `listen ${host}:${port} ssl http2;`,
      `ssl_certificate ${tls.cert};`,
      `ssl_certificate_key ${tls.key};`,
      'ssl_protocols TLSv1.2 TLSv1.3;',
      'ssl_session_cache shared:flux_tls:10m;',
      'ssl_session_timeout 1d;',
    ].join('\n'),
    4,
  );
}

/** The nginx config text for these options: template + registry. Pure, so tests can read it. */
export function renderNginxConfig(options: NginxOptions): string {
  const root = options.root ?? repoRoot;
  const confDir = join(root, 'infra/nginx');
  const prefix = resolve(options.prefix);
  const routes = serviceRegistry.flatMap((service) =>
    service.routes.map((route) =>
      'streamBody' in route && route.streamBody
        ? `    location ^~ ${route.prefix} {\n      proxy_request_buffering off;\n      proxy_pass http://${service.name};\n    }`
        : `    location ^~ ${route.prefix} { proxy_pass http://${service.name}; }`,
    ),
  );
  const websockets = serviceRegistry.flatMap((service) =>
    service.websockets.map(
      (path) => `    location ^~ ${path} {
      proxy_pass http://${service.name};
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 120s;
      proxy_send_timeout 120s;
      proxy_buffering off;
    }`,
    ),
  );
  const development = options.production
    ? serviceRegistry.flatMap((service) =>
        service.developmentRoutes.map((path) => `    location ^~ ${path} {\n${indent(notFound('Not found.'), 6)}\n    }\n`),
      )
    : [];
  const values: Record<string, string> = {
    PREFIX: prefix,
    CONF_DIR: confDir,
    MIME_TYPES: existsSync('/etc/nginx/mime.types') ? '/etc/nginx/mime.types' : join(confDir, 'mime.types'),
    LISTEN: listen(options.address ?? '127.0.0.1', options.port, options.tls),
    WEB_ROOT: resolve(options.webRoot ?? join(root, 'apps/web/dist')),
    MAX_BODY: options.maxBody ?? '55m',
    UPSTREAMS: serviceRegistry.map((s) => upstream(s, options.upstreams[s.name])).join('\n'),
    ROUTES: routes.join('\n'),
    WEBSOCKETS: websockets.join('\n'),
    DEVELOPMENT_ROUTES: development.join(''),
  };
  return readFileSync(join(confDir, 'flux.conf.template'), 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`flux.conf.template uses an unknown placeholder {{${key}}}`);
    return value;
  });
}

/** Renders into `<prefix>/nginx.conf` (creating logs/ and tmp/) and returns that path. */
export function writeNginxConfig(options: NginxOptions): string {
  const prefix = resolve(options.prefix);
  for (const dir of ['logs', 'tmp']) mkdirSync(join(prefix, dir), { recursive: true });
  const file = join(prefix, 'nginx.conf');
  writeFileSync(file, renderNginxConfig(options));
  return file;
}

/** Upstream addresses of every service from `<NAME>_PORT` / `FLUX_<NAME>_INSTANCES`. */
export function upstreamsFromEnv(env: Record<string, string | undefined>): Record<RegisteredService, string[]> {
  return Object.fromEntries(serviceRegistry.map((s) => [s.name, serviceAddresses(s, env)])) as Record<RegisteredService, string[]>;
}

/** `nginx -t` on a rendered config: ok, or nginx's own explanation. */
export async function testNginxConfig(bin: string, prefix: string, conf: string): Promise<{ ok: boolean; output: string }> {
  const result = await run(bin, ['-t', '-q', '-p', prefix, '-c', conf]);
  return { ok: result.code === 0, output: (result.stderr + result.stdout).trim() };
}
