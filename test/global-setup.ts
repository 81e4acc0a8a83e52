import { migrate } from '@flux/migrations';
import { createDatabase } from '@flux/server-kit';
import { Redis } from 'ioredis';

/**
 * Runs once per `vitest run`: the test database is migrated (./flux test starts it empty) and
 * every Redis key under this run's prefix is removed afterwards.
 */
export async function setup(): Promise<() => Promise<void>> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/flux_test';
  process.env.REDIS_PREFIX ??= `flux-test-${process.pid}:`;
  process.env.LOG_LEVEL ??= 'warn';
  await migrate(process.env.DATABASE_URL, { createDatabase: true });
  // On a fresh install the first account to sign up becomes a platform admin; here that would be
  // whichever test signs up first. Tests grant admins explicitly (services/auth/test/admin.test.ts
  // checks the rule on a database of its own).
  const { sql } = createDatabase(process.env.DATABASE_URL, 1);
  await sql`update auth.platform_settings set first_account_admin = false`;
  await sql.end();
  return async () => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${process.env.REDIS_PREFIX}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  };
}
