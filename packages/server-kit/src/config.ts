import { createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { Services, type ServiceName } from '@flux/shared';
import { withSentinels } from './redis.js';
import { loadSecret } from './secrets.js';

/** Thrown by a config reader with every problem it found, so one boot lists them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

/** Reads settings from the environment, collecting every problem instead of stopping at the first. */
export class EnvReader {
  readonly problems: string[] = [];
  readonly production: boolean;

  constructor(private readonly env: Env = process.env) {
    this.production = env.NODE_ENV === 'production';
  }

  str(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  url(name: string, fallback: string, protocols: string[]): string {
    const value = this.str(name, fallback);
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) this.problems.push(`${name} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
    } catch {
      this.problems.push(`${name} must be a URL (got "${value}")`);
    }
    return value;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.str(name, fallback);
    if (!allowed.includes(value as T)) this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return value as T;
  }

  /** A secret that may be absent: from the environment; outside production, from the dev secrets file. */
  optionalSecret(name: string): string | undefined {
    return this.optional(name) ?? (this.production ? undefined : loadSecret(name, this.env.FLUX_SECRETS_FILE));
  }

  /**
   * A symmetric secret. In production it must look like at least 32 random bytes (43+ base64url
   * characters, 16+ distinct ones): a short or repetitive secret is refused at boot, named.
   */
  strongSecret(name: string): string {
    const value = this.secret(name);
    if (this.production && value && (Buffer.byteLength(value) < 43 || new Set(value).size < 16))
      this.problems.push(`${name} must be at least 32 random bytes (e.g. 43 base64url characters from ./flux secrets)`);
    return value;
  }

  /** An Ed25519 private key (PKCS8 PEM; `\\n` escapes allowed, for one-line env files), required like any secret. */
  ed25519PrivateKey(name: string): string {
    const value = this.secret(name).replaceAll('\\n', '\n');
    if (!value) return value;
    try {
      if (createPrivateKey(value).asymmetricKeyType !== 'ed25519') this.problems.push(`${name} must be an Ed25519 private key`);
    } catch {
      this.problems.push(`${name} must be an Ed25519 private key in PKCS8 PEM form`);
    }
    return value;
  }

  /** A secret: from the environment; outside production, from the generated dev secrets file. */
  secret(name: string): string {
    const value = this.optional(name) ?? (this.production ? undefined : loadSecret(name, this.env.FLUX_SECRETS_FILE));
    if (value === undefined) {
      this.problems.push(`${name} is required${this.production ? ' in production (NODE_ENV=production)' : ''}; set it in the environment`);
      return '';
    }
    return value;
  }

  /** Throws a ConfigError listing every problem seen so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

export interface BaseConfig {
  service: ServiceName;
  production: boolean;
  host: string;
  port: number;
  databaseUrl: string;
  databasePoolSize: number;
  /** DATABASE_REPLICA_URL: a read replica for read-heavy routes (`app.dbRead`); unset, those read the primary. */
  databaseReplicaUrl?: string;
  /** REDIS_URL, with REDIS_SENTINELS / REDIS_SENTINEL_NAME folded in (see withSentinels). */
  redisUrl: string;
  /** Prefix for every Redis key, channel and queue of this deployment (a test run uses its own). */
  redisPrefix: string;
  logLevel: string;
  publicUrl: string;
  authUrl: string;
  /** This service's Ed25519 private key for service tokens (`SERVICE_KEY_<SERVICE>`); no other service needs it. */
  serviceKey: string;
  /** Public keys of the services allowed to call this one's `/internal/*` routes (see `callerKeys`). */
  serviceCallerKeys: Partial<Record<ServiceName, string>>;
  bodyLimit: number;
  /** TRUSTED_PROXIES: the proxies whose X-Forwarded-For gives a request's client address (nginx). */
  trustedProxies: string[];
  /** SENTRY_DSN: where errors are reported; unset means no error reporting at all. */
  sentryDsn?: string;
}

const serviceKeyName = (name: ServiceName) => `SERVICE_KEY_${name.toUpperCase()}`;

/**
 * The other services' public keys: `SERVICE_PUBLIC_KEY_<NAME>` (SPKI PEM) where a deployment gives
 * each process only its own private key, else derived from `SERVICE_KEY_<NAME>` when this process
 * has it (the dev secrets file; `./flux up --production`, which runs every service on one machine).
 * A service with no key for a caller refuses that caller's tokens.
 */
function callerKeys(env: EnvReader, self: ServiceName): Partial<Record<ServiceName, string>> {
  const keys: Partial<Record<ServiceName, string>> = {};
  for (const name of Object.keys(Services) as ServiceName[]) {
    if (name === self) continue;
    const pem = env.optional(`SERVICE_PUBLIC_KEY_${name.toUpperCase()}`) ?? env.optionalSecret(serviceKeyName(name));
    if (pem) keys[name] = pem.replaceAll('\\n', '\n');
  }
  return keys;
}

/**
 * REDIS_URL, or with REDIS_SENTINELS (`host:port,host:port`) and REDIS_SENTINEL_NAME (the master's
 * name) the same URL in Sentinel mode: its password and database still apply, its host is ignored.
 */
function redisUrl(env: EnvReader): string {
  const url = env.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']);
  const sentinels = env
    .optional('REDIS_SENTINELS')
    ?.split(',')
    .map((entry) => entry.trim());
  const name = env.optional('REDIS_SENTINEL_NAME');
  if (!sentinels) {
    if (name) env.problems.push('REDIS_SENTINEL_NAME needs REDIS_SENTINELS (host:port,host:port)');
    return url;
  }
  const bad = sentinels.filter((entry) => !/^[^\s:,]+:\d{1,5}$/.test(entry));
  if (bad.length > 0) env.problems.push(`REDIS_SENTINELS must be host:port,host:port (got "${bad.join(',')}")`);
  if (!name) env.problems.push('REDIS_SENTINELS needs REDIS_SENTINEL_NAME (the monitored master name)');
  return bad.length > 0 || !name ? url : withSentinels(url, sentinels, name);
}

/** nginx on the same machine: only a loopback peer may name the client address. */
export const defaultTrustedProxies = ['127.0.0.1', '::1'];

/** TRUSTED_PROXIES: comma-separated addresses or CIDR ranges (`10.0.0.0/8`), checked here so a typo fails the boot. */
function trustedProxies(env: EnvReader): string[] {
  const entries = env
    .optional('TRUSTED_PROXIES')
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (!entries || entries.length === 0) return defaultTrustedProxies;
  const bad = entries.filter((entry) => {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return true;
    if (prefix === undefined) return false;
    const bits = Number(prefix);
    return !/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128);
  });
  if (bad.length > 0) env.problems.push(`TRUSTED_PROXIES must be IP addresses or CIDR ranges, comma-separated (got "${bad.join(',')}")`);
  return bad.length > 0 ? defaultTrustedProxies : entries;
}

/** The settings every service shares; a service's own config extends this. */
export function readBaseConfig(env: EnvReader, service: ServiceName): BaseConfig {
  // PORT (set per process by PM2, which increments it per instance) wins over <SERVICE>_PORT.
  const servicePort = (name: ServiceName) => env.int(`${name.toUpperCase()}_PORT`, Services[name], { min: 1, max: 65535 });
  return {
    service,
    production: env.production,
    host: env.str('HOST', '127.0.0.1'),
    port: env.int('PORT', servicePort(service), { min: 0, max: 65535 }),
    databaseUrl: env.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/flux', ['postgres:', 'postgresql:']),
    databasePoolSize: env.int('DATABASE_POOL_SIZE', 10, { min: 1, max: 200 }),
    databaseReplicaUrl: env.optional('DATABASE_REPLICA_URL') && env.url('DATABASE_REPLICA_URL', '', ['postgres:', 'postgresql:']),
    redisUrl: redisUrl(env),
    redisPrefix: env.str('REDIS_PREFIX', 'flux:'),
    logLevel: env.oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    publicUrl: env.url('PUBLIC_URL', 'http://127.0.0.1:8080', ['http:', 'https:']),
    authUrl: env.url('AUTH_URL', `http://127.0.0.1:${servicePort('auth')}`, ['http:', 'https:']),
    serviceKey: env.ed25519PrivateKey(serviceKeyName(service)),
    serviceCallerKeys: callerKeys(env, service),
    bodyLimit: env.int('BODY_LIMIT', 1024 * 1024, { min: 1024 }),
    trustedProxies: trustedProxies(env),
    sentryDsn: env.optional('SENTRY_DSN') && env.url('SENTRY_DSN', '', ['http:', 'https:']),
  };
}
