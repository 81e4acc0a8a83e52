import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { AppError, type ServiceName } from '@flux/shared';
import { findService, serviceNames } from '@flux/shared/registry';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Where the merged API reference lives; nginx sends it to the service whose registry routes list it. */
export const API_DOCS_PREFIX = '/api/docs';

/** How often a service publishes its document again (see fluxOpenApi). */
const PUBLISH_INTERVAL_MS = 60_000;

/**
 * Service-to-service routes and the service's own-port `/health` and `/metrics` are not part of the
 * public API (nginx refuses them); the public health paths (`/api/auth/health`) are.
 */
const privatePath = /^\/(internal(\/|$)|health$|metrics$)/;

/** A service publishes within moments of starting: worth asking again soon. */
const retryLater = { 'retry-after': '5' };

/** The parts of an OpenAPI 3 document the merge touches. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
}

/** The Redis key under which each service publishes its own document, for the docs service to merge. */
export const openApiKey = (redisPrefix: string, service: string): string => `${redisPrefix}openapi:${service}`;

/**
 * Every service's public routes merged into one document, each operation tagged with its service.
 * A 503 names the services that have not published theirs yet (not started since Redis was emptied).
 */
export function mergeOpenApi(documents: Partial<Record<string, OpenApiDocument>>): OpenApiDocument {
  const missing = serviceNames.filter((name) => !documents[name]);
  if (missing.length > 0) {
    throw new AppError(
      'service_unavailable',
      503,
      `The API description of ${missing.join(', ')} is not available yet; try again shortly.`,
      { missing },
      retryLater,
    );
  }
  const paths: OpenApiDocument['paths'] = {};
  const schemas: Record<string, unknown> = {};
  for (const name of serviceNames) {
    const document = documents[name];
    for (const [path, operations] of Object.entries(document?.paths ?? {})) {
      const tagged = Object.entries(operations).map(([method, operation]) => [method, { tags: [name], ...(operation as object) }]);
      paths[path] = { ...paths[path], ...Object.fromEntries(tagged) };
    }
    Object.assign(schemas, document?.components?.schemas);
  }
  // The reference itself, so the document lists every public route, these two included.
  paths[`${API_DOCS_PREFIX}/json`] = {
    get: {
      tags: ['docs'],
      summary: 'This document: every public route of every service (OpenAPI 3)',
      responses: { 200: { description: 'OpenAPI document' } },
    },
  };
  paths[API_DOCS_PREFIX] = {
    get: { tags: ['docs'], summary: 'The API reference page (Swagger UI)', responses: { 200: { description: 'HTML page' } } },
  };
  return {
    openapi: '3.0.3',
    info: { title: 'FluxStudio API', version: '1', description: 'Every public route of auth, messaging and collab.' },
    paths,
    components: { schemas },
  };
}

export interface OpenApiPluginOptions {
  service: ServiceName;
  redisPrefix: string;
}

/**
 * OpenAPI from the route schemas (`app.swagger()`), registered before any route so it sees them
 * all. Once ready, each service publishes its document to Redis; the service whose registry
 * routes include `/api/docs` (auth) serves the merged one at `/api/docs/json` and the reference
 * page (Swagger UI: plain script files, so nginx's `script-src 'self'` CSP allows it) at `/api/docs`.
 */
export const fluxOpenApi = fp<OpenApiPluginOptions>(
  async (app, { service, redisPrefix }) => {
    await app.register(swagger, {
      openapi: { openapi: '3.0.3', info: { title: `FluxStudio ${service}`, version: '1' } },
      transform: ({ schema, url }) => ({ schema: privatePath.test(url) ? { ...schema, hide: true } : schema, url }),
    });

    // Published when ready and again every minute, so the document comes back after Redis lost it
    // and, after a rollback, the release that kept running publishes its own again.
    const publish = () =>
      void app.redis
        .set(openApiKey(redisPrefix, service), JSON.stringify(app.swagger()))
        .catch((err: unknown) => app.log.warn({ err }, 'could not publish the OpenAPI document'));
    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      // Not awaited: with Redis away at start-up the service still starts; the docs answer 503 meanwhile.
      publish();
      timer = setInterval(publish, PUBLISH_INTERVAL_MS);
      timer.unref();
    });
    app.addHook('onClose', async () => clearInterval(timer));

    if (!findService(service)?.routes.some((route) => route.prefix === API_DOCS_PREFIX)) return;
    const mergedFor = new WeakMap<FastifyRequest, OpenApiDocument>();
    await app.register(swaggerUi, {
      routePrefix: API_DOCS_PREFIX,
      uiConfig: { deepLinking: true },
      uiHooks: {
        // Swagger UI's transform is synchronous: read and merge the documents before it runs.
        preHandler: async (request: FastifyRequest) => {
          if (!/\/(json|yaml)$/.test(request.routeOptions.url ?? '')) return;
          const keys = serviceNames.map((name) => openApiKey(redisPrefix, name));
          const values = await app.redis.mget(keys).catch((err: unknown) => {
            throw new AppError(
              'service_unavailable',
              503,
              'The API description store is unreachable; try again shortly.',
              { cause: String(err) },
              retryLater,
            );
          });
          const documents = Object.fromEntries(
            serviceNames.map((name, i) => [name, values[i] ? (JSON.parse(values[i]) as OpenApiDocument) : undefined]),
          );
          mergedFor.set(request, mergeOpenApi(documents));
        },
      },
      transformSpecification: (own, request) => mergedFor.get(request) ?? own,
      transformSpecificationClone: false,
    });
  },
  { name: 'flux-openapi', fastify: '5.x', dependencies: ['flux-redis'] },
);
