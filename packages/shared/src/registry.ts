/**
 * The one list of FluxStudio's services: what runs, on which port, how its health is checked and
 * which public paths nginx sends to it. The CLI (`./flux`), `ecosystem.config.cjs`, the nginx
 * renderer and the end-to-end test stack all read it; add a service or a route here, nowhere else.
 * Plain data without dependencies, so CommonJS (PM2) and the web can load it too.
 */

/** How nginx spreads requests over several instances of a service. */
export type Affinity =
  /** any instance (stateless HTTP) */
  | 'none'
  /** the same client address always reaches the same instance (Socket.IO long-polling) */
  | 'client'
  /**
   * the instance with the fewest open connections: long-lived websockets spread evenly, and a
   * websocket-only Socket.IO client needs no stickiness (one connection carries the whole session)
   */
  | 'connections'
  /** every connection to one collab document reaches the same instance (Yjs rooms live in a process) */
  | 'document';

export interface PublicRoute {
  /** nginx `location ^~` prefix */
  prefix: string;
  /** stream the request body to the service instead of buffering it in nginx (uploads) */
  streamBody?: boolean;
}

export interface ServiceEntry {
  name: 'auth' | 'messaging' | 'collab';
  /** default port of the first instance; `<NAME>_PORT` overrides it, further instances use the next ports */
  port: number;
  /** the built entry point, relative to the repository root */
  script: string;
  /** the package folder, relative to the repository root */
  directory: string;
  /** health on the service's own port (never exposed by nginx) */
  healthPath: string;
  /** the same health answer through nginx */
  publicHealthPath: string;
  /** path prefixes nginx proxies to this service */
  routes: readonly PublicRoute[];
  /** path prefixes that carry WebSocket upgrades to this service */
  websockets: readonly string[];
  /** routes that exist only outside production; nginx refuses them in production */
  developmentRoutes: readonly string[];
  affinity: Affinity;
  /** extra Node/V8 flags for the service's processes (PM2 and the test stack) */
  nodeArgs?: readonly string[];
}

export const serviceRegistry = [
  {
    name: 'auth',
    port: 3001,
    script: 'services/auth/dist/server.js',
    directory: 'services/auth',
    healthPath: '/health',
    publicHealthPath: '/api/auth/health',
    routes: [
      { prefix: '/api/auth/' },
      { prefix: '/api/organizations' },
      { prefix: '/api/projects' },
      { prefix: '/api/users' },
      { prefix: '/api/invitations' },
      { prefix: '/api/admin' },
      // The merged API reference of every service (server-kit's fluxOpenApi serves it where this is listed).
      { prefix: '/api/docs' },
    ],
    websockets: [],
    developmentRoutes: ['/api/auth/dev/'],
    affinity: 'none',
  },
  {
    name: 'messaging',
    port: 3004,
    script: 'services/messaging/dist/server.js',
    directory: 'services/messaging',
    healthPath: '/health',
    publicHealthPath: '/api/messages/health',
    routes: [
      { prefix: '/api/conversations' },
      { prefix: '/api/messages' },
      { prefix: '/api/notifications' },
      { prefix: '/api/files', streamBody: true },
    ],
    websockets: ['/socket.io/'],
    developmentRoutes: [],
    // Server and web client speak websocket only (no long-polling), so no stickiness is needed.
    affinity: 'connections',
    // Memory per socket: a young generation of at most 3 × 4 MB (V8's default grew to 128 MB in a
    // burst of handshakes and kept it), and the old space grown by 20 % between full collections
    // (V8's factor of up to 4 let handshake garbage pile up to ~1.7× the live heap): 40–44 → 23 KB
    // of RSS per socket at 4,000 on one instance (BENCHMARKS.md, connections).
    nodeArgs: ['--max-semi-space-size=4', '--heap-growing-percent=20'],
  },
  {
    name: 'collab',
    port: 4000,
    script: 'services/collab/dist/server.js',
    directory: 'services/collab',
    healthPath: '/health',
    publicHealthPath: '/collab/health',
    routes: [{ prefix: '/api/documents' }],
    websockets: ['/collab/'],
    developmentRoutes: [],
    affinity: 'document',
    // A young generation of at most 3 × 4 MB (V8's default grows to 3 × 16 MB under a burst of room
    // loads and keeps it): 1,000 loaded documents cost ~75 KB of RSS each instead of ~150 (BENCHMARKS.md, collab_sync).
    nodeArgs: ['--max-semi-space-size=4'],
  },
] as const satisfies readonly ServiceEntry[];

export type RegisteredService = ServiceEntry['name'];
export const serviceNames: readonly RegisteredService[] = serviceRegistry.map((s) => s.name);

export function isServiceName(name: string): name is RegisteredService {
  return findService(name) !== undefined;
}

export function findService(name: string): ServiceEntry | undefined {
  return serviceRegistry.find((s) => s.name === name);
}

type Env = Record<string, string | undefined>;

/** The first port of a service: `<NAME>_PORT` when set, else the registry's default. */
export function servicePort(service: ServiceEntry, env: Env = {}): number {
  const value = env[`${service.name.toUpperCase()}_PORT`];
  return value ? Number(value) : service.port;
}

/** How many instances run: `FLUX_<NAME>_INSTANCES`, default 1. */
export function serviceInstances(service: ServiceEntry, env: Env = {}): number {
  return Math.max(1, Number(env[`FLUX_${service.name.toUpperCase()}_INSTANCES`] || 1));
}

/** `host:port` of every instance, consecutive ports from the first. */
export function serviceAddresses(service: ServiceEntry, env: Env = {}, host = '127.0.0.1'): string[] {
  const first = servicePort(service, env);
  return Array.from({ length: serviceInstances(service, env) }, (_, i) => `${host}:${first + i}`);
}
