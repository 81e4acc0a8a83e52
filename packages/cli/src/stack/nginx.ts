import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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
  /** per-address rate and concurrency limits on the credential and upgrade paths; default `defaultNginxLimits` */
  limits?: NginxLimits;
}

/** Per client address. Rates are requests per minute; a burst is how many may come at once beyond the rate. */
export interface NginxLimits {
  authRate: number;
  authBurst: number;
  /** concurrent requests on the credential paths */
  authConnections: number;
  upgradeRate: number;
  upgradeBurst: number;
  /** concurrent Socket.IO / collab connections (the services cap sockets per user and address too) */
  upgradeConnections: number;
  /** nginx worker processes; default `defaultNginxWorkers()` */
  workers?: number;
  /** connections per worker (a proxied WebSocket holds two); default from the file limit, `nginxFileLimits()` */
  workerConnections?: number;
}

/** Generous: an office behind one address signing in together, a browser reconnecting its sockets. */
export const defaultNginxLimits: NginxLimits = {
  authRate: 300,
  authBurst: 100,
  authConnections: 50,
  upgradeRate: 600,
  upgradeBurst: 200,
  upgradeConnections: 1000,
};

const limitSettings: Record<keyof NginxLimits, string> = {
  authRate: 'FLUX_NGINX_AUTH_RATE',
  authBurst: 'FLUX_NGINX_AUTH_BURST',
  authConnections: 'FLUX_NGINX_AUTH_CONNECTIONS',
  upgradeRate: 'FLUX_NGINX_UPGRADE_RATE',
  upgradeBurst: 'FLUX_NGINX_UPGRADE_BURST',
  upgradeConnections: 'FLUX_NGINX_UPGRADE_CONNECTIONS',
  workers: 'FLUX_NGINX_WORKERS',
  workerConnections: 'FLUX_NGINX_WORKER_CONNECTIONS',
};

/** The limits from `FLUX_NGINX_*` (positive integers; nginx refuses a connection cap of 65536 or more). */
export function nginxLimitsFromEnv(env: Record<string, string | undefined>): NginxLimits {
  const limits = { ...defaultNginxLimits };
  for (const [key, name] of Object.entries(limitSettings) as [keyof NginxLimits, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const max = key === 'workers' ? 64 : key.endsWith('Connections') ? 65_535 : 999_999_999;
    if (!/^[1-9]\d*$/.test(raw) || Number(raw) > max) throw new Error(`${name} must be an integer from 1 to ${max} (got "${raw}")`);
    limits[key] = Number(raw);
  }
  return limits;
}

/**
 * The open-file limit a process started from here may raise itself to (the hard RLIMIT_NOFILE,
 * which nginx's workers inherit), read from /proc; undefined where there is no /proc.
 */
export function hardFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const hard = line?.split(/\s{2,}/)[2];
    return hard === 'unlimited' ? 1_048_576 : hard ? Number(hard) : undefined;
  } catch {
    return undefined;
  }
}

/** Files a worker keeps beyond its connections: logs, and static files being sent. */
const WORKER_FILE_RESERVE = 256;
/** Each connection slot costs a worker ~0.5 KB up front, used or not: no more than this many. */
const MAX_WORKER_CONNECTIONS = 32_768;

/**
 * At least four workers even on a small host: a worker's connections are bounded by the per-process
 * file limit, and with two cores and a 20,000-file limit two workers could proxy fewer than 20,000
 * WebSockets (two connections each). Idle connections cost a worker no CPU.
 */
export const defaultNginxWorkers = (): number => Math.max(4, availableParallelism());

/** Each worker's file limit and connections: as many as the host's hard file limit allows. */
export function nginxFileLimits(workerConnections?: number): { rlimit: number; connections: number } {
  const hard = hardFileLimit() ?? 4096 + WORKER_FILE_RESERVE;
  const connections = workerConnections ?? Math.min(MAX_WORKER_CONNECTIONS, hard - WORKER_FILE_RESERVE);
  return { rlimit: Math.min(hard, connections + WORKER_FILE_RESERVE), connections };
}

/** Where passwords, codes and refresh tokens are tried: each guess costs the guesser a slot. */
const credentialPaths = [
  '/api/auth/login',
  '/api/auth/signup',
  '/api/auth/password',
  '/api/auth/refresh',
  '/api/auth/mfa',
  '/api/auth/reauth',
];

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
  const limits = options.limits ?? defaultNginxLimits;
  const files = nginxFileLimits(limits.workerConnections);
  const auth = serviceRegistry.find((service) => service.routes.some((route) => route.prefix.startsWith('/api/auth')));
  if (!auth) throw new Error('no registered service serves /api/auth');
  const credentialRoutes = credentialPaths.map(
    (path) => `    location ^~ ${path} {
      limit_req zone=flux_auth burst=${limits.authBurst} nodelay;
      limit_conn flux_auth_conn ${limits.authConnections};
      proxy_pass http://${auth.name};
    }`,
  );
  const websockets = serviceRegistry.flatMap((service) =>
    service.websockets.map(
      (path) => `    location ^~ ${path} {
      limit_req zone=flux_upgrade burst=${limits.upgradeBurst} nodelay;
      limit_conn flux_upgrade_conn ${limits.upgradeConnections};
      proxy_pass http://${service.name};
      include ${confDir}/proxy-headers.conf;
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
    CREDENTIAL_ROUTES: credentialRoutes.join('\n'),
    WORKER_PROCESSES: String(limits.workers ?? defaultNginxWorkers()),
    WORKER_CONNECTIONS: String(files.connections),
    WORKER_RLIMIT_NOFILE: String(files.rlimit),
    AUTH_RATE: String(limits.authRate),
    UPGRADE_RATE: String(limits.upgradeRate),
    // When the slowest of the two rates frees the next slot (a refused socket or guess may retry then).
    RETRY_AFTER: String(Math.max(1, Math.ceil(60 / Math.min(limits.authRate, limits.upgradeRate)))),
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
  // Started as root, nginx's workers run as another user (nobody) and buffer larger request bodies
  // under tmp/: they must be able to reach it, whatever mode the prefix was made with (mkdtemp: 0700).
  chmodSync(prefix, 0o755);
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
