import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAINTENANCE_QUEUE, PURGE_JOB, purgeExpired } from '../src/jobs/purge-expired.js';
import { hashToken } from '../src/tokens/opaque.js';
import { eventually } from '../../../test/support/eventually.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

describe('scheduled purge of expired auth data', () => {
  const { db } = testDatabase();
  const make = factories(db);
  let first: App;
  let second: App;
  let redis: Redis;
  let queue: Queue;
  beforeAll(async () => {
    // Two instances, as in production: both upsert the scheduler at boot.
    first = await authApp();
    second = await authApp();
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    queue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix: `${process.env.REDIS_PREFIX ?? 'flux:'}bull` });
  });
  afterAll(async () => {
    await queue.close();
    await redis.quit();
    await first.close();
    await second.close();
    await db.destroy();
  });

  async function seed() {
    const user = await make.user();
    // What a sign-up leaves behind: a live verification token and a recent security event.
    await make.emailToken(user);
    await db.insertInto('auth.security_events').values({ type: 'signup', user_id: user.id, ip: null, user_agent: null }).execute();
    const session = await db.selectFrom('auth.sessions').select('id').where('user_id', '=', user.id).executeTakeFirstOrThrow();
    const expired = await db
      .insertInto('auth.refresh_tokens')
      .values({ session_id: session.id, token_hash: hashToken(randomUUID()), parent_id: null, expires_at: new Date(Date.now() - 1000) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const oldEvent = await db
      .insertInto('auth.security_events')
      .values({ type: 'login_failed', user_id: user.id, ip: null, user_agent: null, created_at: new Date(Date.now() - 400 * 86_400_000) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { user, session, expired, oldEvent };
  }

  it('deletes only what can no longer be used', async () => {
    const { user, session, expired, oldEvent } = await seed();
    const result = await purgeExpired(db, { securityEventRetentionDays: 90 });
    // Counts only: a scheduled run of another instance in this test run may have deleted some rows first.
    expect(result).toMatchObject({ refreshTokens: expect.any(Number), sessions: expect.any(Number), securityEvents: expect.any(Number) });
    expect(await db.selectFrom('auth.refresh_tokens').select('id').where('id', '=', expired.id).executeTakeFirst()).toBeUndefined();
    expect(await db.selectFrom('auth.security_events').select('id').where('id', '=', oldEvent.id).executeTakeFirst()).toBeUndefined();
    // The live session, its live token, the recent events and the account stay; the verification token is live too.
    expect(await db.selectFrom('auth.refresh_tokens').select('id').where('session_id', '=', session.id).execute()).toHaveLength(1);
    expect((await db.selectFrom('auth.security_events').select('id').where('user_id', '=', user.id).execute()).length).toBeGreaterThan(0);
    expect(await db.selectFrom('auth.email_tokens').select('id').where('user_id', '=', user.id).execute()).toHaveLength(1);
  });

  it('has one scheduler across instances, and its worker runs the purge', async () => {
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.filter((s) => s.key === PURGE_JOB || s.id === PURGE_JOB)).toHaveLength(1);
    const { expired } = await seed();
    await queue.add(PURGE_JOB, {});
    await eventually(
      async () => {
        expect(await db.selectFrom('auth.refresh_tokens').select('id').where('id', '=', expired.id).executeTakeFirst()).toBeUndefined();
        return true;
      },
      { timeout: 10_000, what: 'the scheduled purge' },
    );
  });
});
