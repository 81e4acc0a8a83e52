import type { ServiceName } from '@flux/shared';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { createFastify, type App } from './app.js';
import { EnvReader, readBaseConfig } from './config.js';
import { fluxCore } from './plugins/core.js';
import { openApiKey } from './plugins/openapi.js';

// A prefix of this file's own: the merged document reads every service's key under it.
const redisPrefix = `${process.env.REDIS_PREFIX ?? 'flux-test:'}openapi-${Date.now()}:`;

async function serviceApp(service: ServiceName, routes: (app: App) => void): Promise<App> {
  const reader = new EnvReader({ ...process.env, REDIS_PREFIX: redisPrefix });
  const config = readBaseConfig(reader, service);
  reader.done();
  const app = createFastify({ service, config, logger: false });
  await app.register(fluxCore, { config, publicHealthPath: `/api/${service}/health` });
  routes(app);
  await app.ready();
  return app;
}

describe('OpenAPI from the route schemas', () => {
  const apps: App[] = [];
  let auth: App;
  let messaging: App;
  beforeAll(async () => {
    auth = await serviceApp('auth', (app) => {
      app.post(
        '/api/auth/login',
        {
          schema: {
            body: Type.Object({ email: Type.String(), password: Type.String() }),
            response: { 200: Type.Object({ ok: Type.Boolean() }) },
          },
        },
        async () => ({ ok: true }),
      );
      app.get('/internal/users/:id', { schema: { params: Type.Object({ id: Type.String() }) } }, async () => ({}));
    });
    messaging = await serviceApp('messaging', (app) => {
      app.get('/api/conversations/:id', { schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }) } }, async () => ({}));
    });
    apps.push(auth, messaging);
  });
  afterAll(async () => {
    await auth.redis.del(...(['auth', 'messaging', 'collab'] as const).map((name) => openApiKey(redisPrefix, name)));
    await Promise.all(apps.map((app) => app.close()));
  });

  it("documents a service's public routes with their schemas, without internal routes or the own-port /health and /metrics", async () => {
    const document = auth.swagger() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(document.paths['/api/auth/login']?.post?.requestBody).toMatchObject({
      content: { 'application/json': { schema: { properties: { email: { type: 'string' } } } } },
    });
    expect(Object.keys(document.paths).sort()).toEqual(['/api/auth/health', '/api/auth/login']);
  });

  it('answers 503 naming the services whose documents are missing', async () => {
    const response = await eventually(async () => {
      const answer = await auth.inject({ url: '/api/docs/json' });
      return answer.json().error?.details?.missing?.length === 1 && answer;
    });
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toMatchObject({ code: 'service_unavailable', details: { missing: ['collab'] } });
    expect(response.headers['retry-after']).toBe('5');
  });

  it("merges every service's routes at /api/docs/json, tagged by service, with the reference page at /api/docs", async () => {
    apps.push(
      await serviceApp('collab', (app) => {
        app.get('/api/documents/:id', { schema: { params: Type.Object({ id: Type.String() }) } }, async () => ({}));
      }),
    );
    const merged = await eventually(async () => {
      const answer = await auth.inject({ url: '/api/docs/json' });
      return answer.statusCode === 200 && (answer.json() as { paths: Record<string, Record<string, { tags: string[] }>> });
    });
    expect(merged.paths['/api/auth/login']?.post?.tags).toEqual(['auth']);
    expect(merged.paths['/api/conversations/{id}']?.get?.tags).toEqual(['messaging']);
    expect(merged.paths['/api/documents/{id}']?.get?.tags).toEqual(['collab']);
    expect(Object.keys(merged.paths).some((path) => path.startsWith('/internal'))).toBe(false);
    expect(merged.paths['/api/docs/json']?.get?.tags).toEqual(['docs']);

    // With or without the trailing slash, the same page (no redirect).
    for (const url of ['/api/docs', '/api/docs/']) {
      const page = await auth.inject({ url });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('swagger-ui-bundle.js');
    }
    expect((await auth.inject({ url: '/api/docs/json/' })).statusCode).toBe(200);
    // Only the service the registry routes /api/docs to serves it.
    expect((await messaging.inject({ url: '/api/docs/json' })).statusCode).toBe(404);
  });

  it('publishes each document under the deployment prefix', async () => {
    const stored = await eventually(() => messaging.redis.get(openApiKey(redisPrefix, 'messaging')));
    expect(Object.keys(JSON.parse(stored).paths).sort()).toEqual(['/api/conversations/{id}', '/api/messaging/health']);
  });
});
