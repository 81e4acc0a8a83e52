import { createAccessTokenVerifier, createServiceApp, type App } from '@flux/server-kit';
import { warmUpPasswordChecks } from './accounts/password.js';
import { BackgroundTasks } from './background.js';
import { createAuthMetrics } from './security/metrics.js';
import type { Config } from './config.js';
import type { AuthContext } from './context.js';
import type { Database } from './db/database.js';
import cookie from '@fastify/cookie';
import { startMaintenance } from './jobs/purge-expired.js';
import { createMailer } from './mail/mailer.js';
import { authRoutes } from './routes/auth.js';
import { devOutboxRoutes } from './routes/dev-outbox.js';
import { internalRoutes } from './routes/internal.js';
import { jwksRoutes } from './routes/jwks.js';
import { oauthRoutes } from './routes/oauth.js';
import { organizationRoutes } from './routes/organizations.js';
import { projectRoutes } from './routes/projects.js';
import { createAccessTokenSigner } from './tokens/access-token.js';
import { loadSigningKeys, localJwks } from './tokens/keys.js';

export interface BuildOptions {
  logger?: boolean;
}

export async function buildApp(config: Config, { logger = true }: BuildOptions = {}): Promise<App> {
  const { app, db, redis, events, serviceTokens, metrics } = await createServiceApp<Database>({
    service: 'auth',
    config,
    publicHealthPath: '/api/auth/health',
    logger,
  });
  await warmUpPasswordChecks();
  const keys = await loadSigningKeys(config.jwtPrivateKey, config.jwtPreviousPublicKeys);
  const ctx: AuthContext = {
    db,
    redis,
    config,
    events,
    log: app.log,
    mailer: createMailer(config, db),
    background: new BackgroundTasks(app.log),
    metrics: createAuthMetrics(metrics),
    signAccessToken: createAccessTokenSigner(keys, config.accessTokenTtlSeconds),
    // Auth verifies its own tokens exactly as other services do, over its local JWKS.
    verifyAccessToken: createAccessTokenVerifier(localJwks(keys)),
  };

  // preClose runs before the shared onClose that ends the database pool.
  app.addHook('preClose', async () => ctx.background.drain());
  app.addHook('onClose', async () => ctx.mailer.close());
  if (config.jobs) {
    const maintenance = startMaintenance(config, db, app.log);
    app.addHook('preClose', async () => maintenance.close());
  }
  await app.register(cookie, { secret: config.cookieSecret });
  await app.register(jwksRoutes, { prefix: '/api/auth', keys });
  await app.register(authRoutes, { prefix: '/api/auth', ctx });
  await app.register(oauthRoutes, { prefix: '/api/auth', ctx });
  if (config.devOutbox) await app.register(devOutboxRoutes, { prefix: '/api/auth', ctx });
  await app.register(organizationRoutes, { prefix: '/api/organizations', ctx });
  await app.register(projectRoutes, { prefix: '/api/projects', ctx });
  await app.register(internalRoutes, { prefix: '/internal', ctx, serviceTokens });
  return app;
}
