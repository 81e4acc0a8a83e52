import cookie from '@fastify/cookie';
import {
  type App,
  createAccessTokenVerifier,
  createFastify,
  createOutbox,
  fluxCore,
  fluxOutboxRelay,
  type OutboxEvent,
} from '@flux/server-kit';
import { warmUpPasswordChecks } from './accounts/password.js';
import type { Config } from './config.js';
import type { AppContext, AuthOutboxEvents } from './context.js';
import { backgroundPlugin } from './plugins/background.js';
import { mailerPlugin } from './plugins/mailer.js';
import { maintenancePlugin } from './plugins/maintenance.js';
import { authMetricsPlugin } from './plugins/metrics.js';
import { signingKeysPlugin } from './plugins/signing-keys.js';
import { deriveAuthKeys } from './security/keys.js';
import { accountRoutes } from './routes/account.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { devOutboxRoutes } from './routes/dev-outbox.js';
import { internalRoutes } from './routes/internal.js';
import { invitationRoutes } from './routes/invitations.js';
import { jwksRoutes } from './routes/jwks.js';
import { oauthRoutes } from './routes/oauth.js';
import { organizationRoutes } from './routes/organizations.js';
import { peopleAccountRoutes } from './routes/people.js';
import { projectRoutes } from './routes/projects.js';
import { userRoutes } from './routes/users.js';
import { createAccessTokenSigner } from './tokens/access-token.js';
import { localJwks } from './tokens/keys.js';

export interface BuildOptions {
  logger?: boolean;
}

export async function buildApp(config: Config, { logger = true }: BuildOptions = {}): Promise<App> {
  const app = createFastify({ service: 'auth', config, logger });
  await app.register(fluxCore, { config, publicHealthPath: '/api/auth/health' });
  const keys = deriveAuthKeys(config.cookieSecret);
  await app.register(cookie, { secret: keys.cookie });
  await app.register(authMetricsPlugin);
  await app.register(signingKeysPlugin, { privateKey: config.jwtPrivateKey, previousPublicKeys: config.jwtPreviousPublicKeys });
  await app.register(mailerPlugin, { config });
  await app.register(backgroundPlugin);
  if (config.jobs) await app.register(maintenancePlugin, { config });
  // Every instance runs a relay; they take turns, so events reach the streams once and in order.
  await app.register(fluxOutboxRelay, {
    schema: 'auth',
    deployment: config.redisPrefix,
    sink: (events: OutboxEvent<AuthOutboxEvents>[]) => app.streams.append(events),
  });
  await warmUpPasswordChecks();

  const ctx: AppContext = {
    db: app.db,
    redis: app.redis,
    config,
    events: app.events,
    outbox: createOutbox<AuthOutboxEvents>('auth', config.redisPrefix),
    log: app.log,
    mailer: app.mailer,
    background: app.background,
    metrics: app.authMetrics,
    keys,
    signAccessToken: createAccessTokenSigner(app.signingKeys, config.accessTokenTtlSeconds),
    // Auth verifies its own tokens exactly as other services do, over its local JWKS.
    verifyAccessToken: createAccessTokenVerifier(localJwks(app.signingKeys)),
    serviceTokens: app.serviceTokens,
  };

  await app.register(jwksRoutes, { prefix: '/api/auth', keys: app.signingKeys });
  await app.register(authRoutes, { prefix: '/api/auth', ctx });
  await app.register(accountRoutes, { prefix: '/api/auth', ctx });
  await app.register(peopleAccountRoutes, { prefix: '/api/auth', ctx });
  await app.register(oauthRoutes, { prefix: '/api/auth/oauth', ctx });
  if (config.devOutbox) await app.register(devOutboxRoutes, { prefix: '/api/auth/dev', ctx });
  await app.register(organizationRoutes, { prefix: '/api/organizations', ctx });
  await app.register(projectRoutes, { prefix: '/api/projects', ctx });
  await app.register(invitationRoutes, { prefix: '/api/invitations', ctx });
  await app.register(userRoutes, { prefix: '/api/users', ctx });
  await app.register(adminRoutes, { prefix: '/api/admin', ctx });
  await app.register(internalRoutes, { prefix: '/internal', ctx, serviceTokens: app.serviceTokens });
  return app;
}
