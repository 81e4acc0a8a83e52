import { AppError, type AccessTokenClaims } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import { sql as kyselySql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, type AccessTokenVerifier, type Caller } from './access-token.js';
import { createFastify, type App } from './app.js';
import { EnvReader, readBaseConfig, type BaseConfig } from './config.js';
import { fluxCore, fluxDb, fluxEvents, fluxHealth, fluxMetrics, fluxRedis } from './plugins/index.js';

const config = (): BaseConfig => {
  const reader = new EnvReader({ ...process.env });
  const value = readBaseConfig(reader, 'messaging');
  reader.done();
  return value;
};

describe('core plugins', () => {
  it('decorate the app with working resources and close them after the plugins that need them', async () => {
    const app = createFastify({ service: 'messaging', config: config(), logger: false });
    await app.register(fluxCore, { config: config(), publicHealthPath: '/api/messages/health' });
    const seenWhileClosing: string[] = [];
    // A service resource registered after the core: it must still reach PostgreSQL and Redis in its onClose.
    await app.register(
      fp(
        async (instance) => {
          instance.addHook('onClose', async () => {
            const { rows } = await kyselySql<{ one: number }>`select 1 as one`.execute(instance.db);
            seenWhileClosing.push(`db:${rows[0]?.one}`, `redis:${await instance.redis.ping()}`);
          });
        },
        { name: 'test-resource', dependencies: ['flux-db', 'flux-redis'] },
      ),
    );
    await app.ready();

    const [{ answer }] = (await app.sql`select 41 + 1 as answer`) as unknown as [{ answer: number }];
    expect(answer).toBe(42);
    expect(await app.redis.ping()).toBe('PONG');
    expect(typeof (await app.serviceTokens.sign('auth'))).toBe('string');
    expect(await app.metrics.metrics()).toContain('http_requests_total');

    const received = new Promise<unknown>((resolve) => {
      void app.events.subscribe('user.updated', resolve);
    });
    // The subscription is registered asynchronously; publish until the handler sees one.
    const payload = { userId: crypto.randomUUID(), name: 'Plugin Test', email: 'plugin@test.flux.local' };
    const timer = setInterval(() => void app.events.publish('user.updated', payload), 50);
    try {
      expect(await received).toEqual(payload);
    } finally {
      clearInterval(timer);
    }

    await app.close();
    expect(seenWhileClosing).toEqual(['db:1', 'redis:PONG']);
    expect(app.redis.status).toBe('end');
    await expect(app.sql`select 1`).rejects.toThrow();
  });

  it('refuse to load without the plugins they depend on', async () => {
    const app = createFastify({ service: 'messaging', config: config(), logger: false });
    await expect(app.register(fluxEvents, { url: config().redisUrl, prefix: config().redisPrefix })).rejects.toThrow(/flux-redis/);
    await app.close();

    const health = createFastify({ service: 'messaging', config: config(), logger: false });
    await health.register(fluxDb, { url: config().databaseUrl });
    await expect(health.register(fluxHealth, { service: 'messaging', paths: ['/health'] })).rejects.toThrow(/flux-redis/);
    await health.close();
  });

  it('load one by one in dependency order', async () => {
    const app = createFastify({ service: 'messaging', config: config(), logger: false });
    await app.register(fluxDb, { url: config().databaseUrl, poolSize: 2 });
    await app.register(fluxRedis, { url: config().redisUrl });
    await app.register(fluxMetrics, { service: 'messaging' });
    await app.register(fluxHealth, { service: 'messaging', paths: ['/health'], extra: () => ({ connections: 7 }) });
    const response = await app.inject({ url: '/health' });
    expect(response.json()).toMatchObject({ status: 'ok', connections: 7, checks: { db: 'ok', redis: 'ok' } });
    await app.close();
  });
});

describe('authenticate', () => {
  const claims: AccessTokenClaims = { sub: crypto.randomUUID(), sid: crypto.randomUUID(), name: 'Ada', email: 'ada@test.flux.local' };
  // A verifier standing in for auth's JWKS: one good token, everything else refused as jose would.
  const verify: AccessTokenVerifier = async (token) => {
    if (token !== 'good') throw AppError.unauthorized('The access token is invalid or expired.', 'invalid_token');
    return claims;
  };
  let app: App;
  const checked: Caller[] = [];

  beforeAll(async () => {
    app = createFastify({ service: 'messaging', config: config(), logger: false });
    await app.register(fluxCore, { config: config(), publicHealthPath: '/api/messages/health' });
    await app.register(async (scope) => {
      scope.addHook(
        'onRequest',
        authenticate(verify, {
          check: async (caller, request) => {
            checked.push(caller);
            if (request.headers['x-session-ended']) throw AppError.unauthorized('This session has ended; sign in again.', 'invalid_token');
          },
        }),
      );
      scope.post('/whoami', { schema: { body: Type.Object({ n: Type.Integer() }) } }, async (request) => ({ caller: request.caller }));
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('sets request.caller from a valid token', async () => {
    const response = await app.inject({ method: 'POST', url: '/whoami', headers: { authorization: 'Bearer good' }, payload: { n: 1 } });
    expect(response.statusCode).toBe(200);
    const expected: Caller = { id: claims.sub, sessionId: claims.sid, name: claims.name, email: claims.email };
    expect(response.json()).toEqual({ caller: expected });
    expect(checked.at(-1)).toEqual(expected);
  });

  it('answers 401 before validation, so an anonymous caller learns nothing about the body', async () => {
    const anonymous = await app.inject({ method: 'POST', url: '/whoami', payload: { n: 'not a number' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('unauthorized');

    const forged = await app.inject({ method: 'POST', url: '/whoami', headers: { authorization: 'Bearer forged' }, payload: { n: 'x' } });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error.code).toBe('invalid_token');
  });

  it('lets the check refuse a caller whose token is valid', async () => {
    const before = checked.length;
    const response = await app.inject({
      method: 'POST',
      url: '/whoami',
      headers: { authorization: 'Bearer good', 'x-session-ended': '1' },
      payload: { n: 1 },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.message).toMatch(/session has ended/);
    expect(checked.length).toBe(before + 1);
  });
});
