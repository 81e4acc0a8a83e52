import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader, readBaseConfig } from './config.js';
import { redisConnection } from './redis.js';

const secretsFile = () => join(mkdtempSync(join(tmpdir(), 'flux-secrets-')), 'secrets.env');

describe('config', () => {
  it('uses the documented defaults', () => {
    const env = new EnvReader({ FLUX_SECRETS_FILE: secretsFile() });
    const config = readBaseConfig(env, 'messaging');
    env.done();
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3004, redisPrefix: 'flux:', production: false });
    // Its own service-token key, and the public keys of the services that may call it — not their private keys.
    expect(config.serviceKey).toContain('BEGIN PRIVATE KEY');
    expect(Object.keys(config.serviceCallerKeys).sort()).toEqual(['auth', 'collab']);
  });

  it('lists every bad setting at once', () => {
    const env = new EnvReader({ FLUX_SECRETS_FILE: secretsFile(), PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    readBaseConfig(env, 'auth');
    expect(() => env.done()).toThrow(ConfigError);
    expect(env.problems).toHaveLength(3);
    expect(env.problems.join('\n')).toMatch(/PORT.*DATABASE_URL.*LOG_LEVEL/s);
  });

  it('reads TRUSTED_PROXIES as addresses or CIDR ranges (loopback by default) and refuses anything else, naming it', () => {
    const fallback = new EnvReader({ FLUX_SECRETS_FILE: secretsFile() });
    expect(readBaseConfig(fallback, 'auth').trustedProxies).toEqual(['127.0.0.1', '::1']);
    const set = new EnvReader({ FLUX_SECRETS_FILE: secretsFile(), TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.7,fd00::/8' });
    expect(readBaseConfig(set, 'auth').trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    set.done();
    const bad = new EnvReader({ FLUX_SECRETS_FILE: secretsFile(), TRUSTED_PROXIES: '10.0.0.0/33,nginx,1.2.3.4' });
    readBaseConfig(bad, 'auth');
    expect(bad.problems).toEqual([expect.stringMatching(/TRUSTED_PROXIES.*"10\.0\.0\.0\/33,nginx"/)]);
  });

  it('turns REDIS_SENTINELS + REDIS_SENTINEL_NAME into ioredis Sentinel options (REDIS_URL password and db kept) and reads DATABASE_REPLICA_URL', () => {
    const env = new EnvReader({
      FLUX_SECRETS_FILE: secretsFile(),
      REDIS_URL: 'redis://:s3cret@ignored:6379/2',
      REDIS_SENTINELS: '10.0.0.5:26379, 10.0.0.6:26379',
      REDIS_SENTINEL_NAME: 'fluxmaster',
      DATABASE_REPLICA_URL: 'postgres://reader@10.0.0.9:5432/flux',
    });
    const config = readBaseConfig(env, 'collab');
    env.done();
    const { url, options } = redisConnection(config.redisUrl);
    expect(options).toEqual({
      sentinels: [
        { host: '10.0.0.5', port: 26379 },
        { host: '10.0.0.6', port: 26379 },
      ],
      name: 'fluxmaster',
    });
    expect(url).toBe('redis://:s3cret@ignored:6379/2');
    expect(config.databaseReplicaUrl).toBe('postgres://reader@10.0.0.9:5432/flux');
    // Without the settings: the plain URL, no Sentinel options, no replica.
    const plain = readBaseConfig(new EnvReader({ FLUX_SECRETS_FILE: secretsFile() }), 'collab');
    expect(redisConnection(plain.redisUrl)).toEqual({ url: 'redis://127.0.0.1:6379', options: {} });
    expect(plain.databaseReplicaUrl).toBeUndefined();
  });

  it('refuses half or malformed Sentinel settings and a replica URL that is not PostgreSQL, naming each', () => {
    const half = new EnvReader({ FLUX_SECRETS_FILE: secretsFile(), REDIS_SENTINEL_NAME: 'fluxmaster' });
    readBaseConfig(half, 'auth');
    expect(half.problems).toEqual([expect.stringMatching(/REDIS_SENTINEL_NAME needs REDIS_SENTINELS/)]);
    const bad = new EnvReader({
      FLUX_SECRETS_FILE: secretsFile(),
      REDIS_SENTINELS: '10.0.0.5:26379,sentinel',
      DATABASE_REPLICA_URL: 'mysql://x',
    });
    readBaseConfig(bad, 'auth');
    expect(bad.problems).toEqual([
      expect.stringMatching(/DATABASE_REPLICA_URL must use postgres:/),
      expect.stringMatching(/REDIS_SENTINELS must be host:port.*"sentinel"/),
      expect.stringMatching(/REDIS_SENTINELS needs REDIS_SENTINEL_NAME/),
    ]);
  });

  it('refuses to start in production without secrets, naming the missing one', () => {
    const env = new EnvReader({ NODE_ENV: 'production' });
    readBaseConfig(env, 'auth');
    expect(() => env.done()).toThrow(/SERVICE_KEY_AUTH is required in production/);
  });

  it('refuses production secrets under 32 random bytes and keys that are not Ed25519, naming each', () => {
    const env = new EnvReader({ NODE_ENV: 'production', WEAK: 'password123', REPEATED: 'a'.repeat(64) });
    env.strongSecret('WEAK');
    env.strongSecret('REPEATED');
    expect(
      new EnvReader({ NODE_ENV: 'production', GOOD: 'q8Yk2mZ0rT4vW7xB1nC5dF9gH3jK6lP0sU2wE4yA8iO' }).strongSecret('GOOD'),
    ).toHaveLength(43);
    const notEd = new EnvReader({ NODE_ENV: 'production', KEY: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' });
    notEd.ed25519PrivateKey('KEY');
    expect(env.problems.join('\n')).toMatch(/WEAK must be at least 32 random bytes[\s\S]*REPEATED must be at least 32 random bytes/);
    expect(notEd.problems.join('\n')).toMatch(/KEY must be an Ed25519 private key/);
  });

  it('generates development secrets once and reuses them', () => {
    const file = secretsFile();
    const first = new EnvReader({ FLUX_SECRETS_FILE: file }).secret('JWT_PRIVATE_KEY');
    expect(first).toContain('BEGIN PRIVATE KEY');
    const text = readFileSync(file, 'utf8');
    expect(new EnvReader({ FLUX_SECRETS_FILE: file }).secret('JWT_PRIVATE_KEY')).toBe(first);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('prefers the environment over the secrets file', () => {
    expect(new EnvReader({ FLUX_SECRETS_FILE: secretsFile(), COOKIE_SECRET: 'from-env' }).secret('COOKIE_SECRET')).toBe('from-env');
  });
});
