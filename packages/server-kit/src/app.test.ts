import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastify, type App } from './app.js';
import { EnvReader, readBaseConfig, type BaseConfig } from './config.js';
import { fluxCore } from './plugins/core.js';
import { ServiceTokens } from './service-token.js';

const config = (env: Record<string, string> = {}): BaseConfig => {
  const reader = new EnvReader({ ...process.env, ...env });
  const value = readBaseConfig(reader, 'auth');
  reader.done();
  return value;
};

/** What every service starts from: createFastify + the core plugins. */
async function coreApp(base: BaseConfig): Promise<App> {
  const app = createFastify({ service: 'auth', config: base, logger: false });
  await app.register(fluxCore, { config: base, publicHealthPath: '/api/auth/health' });
  return app;
}

/** The shared service shell against the machine's real PostgreSQL and Redis. */
describe('createFastify + fluxCore', () => {
  let app: App;
  beforeAll(async () => {
    app = await coreApp(config());
    app.post(
      '/echo',
      { schema: { body: Type.Object({ email: Type.String({ format: 'email' }), age: Type.Integer({ minimum: 0 }) }) } },
      async (request) => request.body,
    );
    app.get('/things/:id', async () => ({}));
    app.get(
      '/page',
      { schema: { querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100 }) }) } },
      async (request) => request.query,
    );
    app.get('/boom', async () => {
      throw new Error('database password is hunter2');
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('refuses a number that coerces to Infinity (which ajv lets past integer, minimum and maximum) with 400', async () => {
    for (const limit of ['1e400', '9'.repeat(400)]) {
      const response = await app.inject({ url: `/page?limit=${limit}` });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'validation_error', details: { in: 'querystring', field: 'limit' } } });
    }
    const body = await app.inject({ method: 'POST', url: '/echo', payload: { email: 'a@b.co', age: '1e400' } });
    expect(body.statusCode).toBe(400);
    expect(body.json()).toMatchObject({ error: { code: 'validation_error', details: { in: 'body', field: 'age' } } });
    expect((await app.inject({ url: '/page?limit=7' })).json()).toEqual({ limit: 7 });
  });

  it("answers a malformed percent-escape in the path (400) and an over-long path parameter (414) with the contract's error body", async () => {
    const bad = await app.inject({ url: '/things/%' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
    const long = await app.inject({ url: `/things/${'a'.repeat(500)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
  });

  it('reports healthy DB and Redis on both health paths, with or without a trailing slash', async () => {
    for (const url of ['/health', '/health/', '/api/auth/health']) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        status: 'ok',
        service: 'auth',
        checks: { db: 'ok', redis: 'ok' },
        uptime: expect.any(Number),
      });
    }
  });

  it('answers bad input with the contract envelope naming the field', async () => {
    const bad = await app.inject({ method: 'POST', url: '/echo', payload: { email: 'nope', age: 3 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'validation_error', details: { field: 'email' } } });

    const missing = await app.inject({ method: 'POST', url: '/echo', payload: { email: 'a@b.co' } });
    expect(missing.json().error.details.field).toBe('age');

    const json = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(json.statusCode).toBe(400);
    expect(json.json().error.code).toBe('invalid_json');

    const media = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(media.statusCode).toBe(415);
    expect(media.json().error.code).toBe('unsupported_media_type');
  });

  it('hides unexpected errors behind a 500 with the request id', async () => {
    const response = await app.inject({ url: '/boom', headers: { 'x-request-id': 'req-123' } });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
    expect(response.json().error).toMatchObject({ code: 'internal_error', requestId: 'req-123' });
    expect(response.headers['x-request-id']).toBe('req-123');
  });

  it('answers unknown routes with 404 in the envelope', async () => {
    const response = await app.inject({ url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
  });

  it('counts requests by route in /metrics', async () => {
    await app.inject({ url: '/health' });
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/health",status_class="2xx",service="auth"\} \d+/);
    expect(text).toContain('http_request_duration_seconds_bucket');
  });
});

describe('trusted proxies', () => {
  it('takes the client address from X-Forwarded-For only when the peer is one of TRUSTED_PROXIES', async () => {
    const app = createFastify({ service: 'auth', config: config({ TRUSTED_PROXIES: '10.0.0.0/8' }), logger: false });
    app.get('/ip', async (request) => ({ ip: request.ip }));
    const headers = { 'x-forwarded-for': '203.0.113.9' };
    const viaProxy = await app.inject({ url: '/ip', headers, remoteAddress: '10.1.2.3' });
    expect(viaProxy.json()).toEqual({ ip: '203.0.113.9' });
    // Loopback is no longer trusted once the setting names other proxies: the header is the caller's own claim.
    const direct = await app.inject({ url: '/ip', headers, remoteAddress: '127.0.0.1' });
    expect(direct.json()).toEqual({ ip: '127.0.0.1' });
    await app.close();
  });
});

describe('health when dependencies are down', () => {
  it('is 503 when PostgreSQL is unreachable and degraded when Redis is', async () => {
    const app = await coreApp(config({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/flux', REDIS_URL: 'redis://127.0.0.1:1' }));
    try {
      const response = await app.inject({ url: '/health' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ status: 'degraded', checks: { db: 'error', redis: 'error' } });
    } finally {
      await app.close();
    }
  });
});

describe('service tokens', () => {
  const key = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keys = { auth: key(), messaging: key(), collab: key() };
  const tokens = (service: keyof typeof keys) =>
    new ServiceTokens({
      service,
      privateKey: keys[service],
      callers: Object.fromEntries(Object.entries(keys).filter(([name]) => name !== service)),
    });
  const request = (token: string) => ({ headers: { authorization: `Service ${token}` } }) as never;

  it('are accepted only by the service they were signed for, from the service that signed them', async () => {
    const auth = tokens('auth');
    expect(await auth.verify(request(await tokens('messaging').sign('auth')))).toBe('messaging');
    expect(await auth.verify(request(await tokens('collab').sign('auth')))).toBe('collab');
    await expect(tokens('collab').verify(request(await tokens('messaging').sign('auth')))).rejects.toMatchObject({ status: 401 });
    await expect(auth.verify({ headers: {} } as never)).rejects.toMatchObject({ status: 401 });
  });

  it("refuse a token minted with messaging's key in auth's name, and one signed by an unknown key", async () => {
    const messagingKey = createPrivateKey(keys.messaging);
    const forge = (sub: string, signingKey = messagingKey) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'EdDSA' })
        .setIssuer('flux-internal')
        .setSubject(sub)
        .setAudience('collab')
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(signingKey);
    const collab = tokens('collab');
    // Collab accepts auth as a caller, but only with auth's own key.
    await expect(collab.verify(request(await forge('auth')))).rejects.toMatchObject({ status: 401, code: 'invalid_token' });
    await expect(collab.verify(request(await forge('messaging', createPrivateKey(key()))))).rejects.toMatchObject({
      code: 'invalid_token',
    });
    expect(await collab.verify(request(await forge('messaging')))).toBe('messaging');
  });

  it('live at most a minute', async () => {
    const token = await tokens('messaging').sign('auth');
    const { exp, iat } = decodeJwt(token);
    expect((exp ?? 0) - (iat ?? 0)).toBeLessThanOrEqual(60);
    const stale = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('flux-internal')
      .setSubject('messaging')
      .setAudience('auth')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime('1h')
      .sign(createPrivateKey(keys.messaging));
    await expect(tokens('auth').verify(request(stale))).rejects.toMatchObject({ code: 'invalid_token' });
  });
});
