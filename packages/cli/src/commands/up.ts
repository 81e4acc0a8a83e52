import type { Command } from 'commander';
import { type Context, withProduction } from '../context.js';
import { isLoopback } from '../env.js';
import { ensureProductionDatabase, ensureProductionRedis } from '../production.js';
import { loadProductionSecrets } from '../secrets.js';
import { waitHealthy } from '../stack/health.js';
import { build, ensureDevSecrets, runMigrations, startNginx, startServices, writeStackState } from '../steps.js';
import { fail } from '../ui.js';

/** Build, migrate, start the services under PM2 and nginx in front, wait for health, print the URL. */
export async function up(base: Context, options: { production?: boolean } = {}): Promise<void> {
  const ctx = options.production ? withProduction(base) : base;
  const { env, ui } = ctx;
  if (!env.production && !isLoopback(env.httpAddress))
    fail(
      `development serves only loopback addresses; FLUX_HTTP_ADDRESS is ${env.httpAddress}`,
      'use ./flux up --production (with ./flux secrets) to listen publicly',
    );
  const secrets = env.production ? loadProductionSecrets(env.productionSecretsFile) : undefined;
  // Production mail is real mail: auth refuses to start without it, so say so before starting anything.
  if (secrets && !secrets.SMTP_URL && !env.raw.SMTP_URL)
    fail(
      'production needs SMTP_URL (verification and password-reset mail)',
      `add a line SMTP_URL=smtp://user:password@host:587 to ${env.productionSecretsFile} (or set it in the environment)`,
    );
  await build(ctx);
  const serviceEnv = await serviceSettings(ctx, secrets);
  await runMigrations(ctx, serviceEnv.DATABASE_URL ?? env.databaseUrl);
  await startServices(ctx, serviceEnv);
  await startNginx(ctx);
  writeStackState(ctx, { production: env.production, publicUrl: env.publicUrl, httpAddress: env.httpAddress, httpPort: env.httpPort });
  ui.step('waiting for health checks');
  await waitHealthy(healthBase(ctx));
  ui.step(`FluxStudio is up${env.production ? ' (production)' : ''}: ${env.publicUrl}`);
}

/**
 * What the services get from ./flux (PM2 passes exactly these): the database and Redis URLs, the
 * public URL and, in production, the operator's secrets (PostgreSQL and Redis get their passwords).
 * Shared by `./flux up` and `./flux deploy`.
 */
export async function serviceSettings(ctx: Context, secrets?: Record<string, string>): Promise<NodeJS.ProcessEnv> {
  const { env } = ctx;
  const serviceEnv: NodeJS.ProcessEnv = {
    NODE_ENV: env.production ? 'production' : (env.raw.NODE_ENV ?? 'development'),
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    PUBLIC_URL: env.publicUrl,
  };
  if (secrets) {
    serviceEnv.DATABASE_URL = await ensureProductionDatabase(ctx, secrets.POSTGRES_PASSWORD ?? '');
    serviceEnv.REDIS_URL = await ensureProductionRedis(ctx, secrets.REDIS_PASSWORD ?? '');
    // Every other line of the operator's file is a service setting (the three secrets, SMTP_URL, …).
    for (const [name, value] of Object.entries(secrets)) if (!/^(POSTGRES|REDIS)_PASSWORD$/.test(name)) serviceEnv[name] = value;
  } else {
    await ensureDevSecrets(ctx);
  }
  return serviceEnv;
}

/** Health is checked on the gateway itself (loopback when it listens on every address). */
export function healthBase(ctx: Context): string {
  const { httpAddress, httpPort, tls } = ctx.env;
  const host =
    httpAddress === '0.0.0.0' ? '127.0.0.1' : httpAddress === '::' ? '[::1]' : httpAddress.includes(':') ? `[${httpAddress}]` : httpAddress;
  return `${tls ? 'https' : 'http'}://${host}:${httpPort}`;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('up')
    .description('install what is missing, migrate, build, start everything, print the URL')
    .option('--production', 'production: secrets from ./flux secrets, passwords for PostgreSQL and Redis, no development routes')
    .action((options: { production?: boolean }) => up(ctx, options));
}
