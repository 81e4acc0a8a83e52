import type { ErrorBody, HealthBody } from '@flux/shared';
import { sql as kyselySql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivatePostgres, PrivateRedis } from '../../../test/support/private-stores.js';
import { createFastify, type App } from './app.js';
import { EnvReader, readBaseConfig } from './config.js';
import { fluxCore } from './plugins/index.js';

/** An app on its own PostgreSQL and Redis, which these tests stop and start again. */
describe('dependency outages', () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let app: App;
  beforeAll(async () => {
    [pg, redis] = await Promise.all([new PrivatePostgres().init({ migrated: false }), new PrivateRedis().init()]);
    const reader = new EnvReader({ ...process.env, DATABASE_URL: pg.url, REDIS_URL: redis.url });
    const config = readBaseConfig(reader, 'messaging');
    reader.done();
    app = createFastify({ service: 'messaging', config, logger: false });
    await app.register(fluxCore, { config, publicHealthPath: '/api/messages/health' });
    app.get('/read', async () => (await kyselySql<{ one: number }>`select 1 as one`.execute(app.db)).rows[0]);
    app.post('/write', async () =>
      app.db.transaction().execute(async (trx) => (await kyselySql<{ two: number }>`select 2 as two`.execute(trx)).rows[0]),
    );
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([pg?.destroy(), redis?.destroy()]);
  });

  it('PostgreSQL down: every query answers 503 service_unavailable with Retry-After, health 503, and the app recovers without a restart', async () => {
    expect((await app.inject({ method: 'GET', url: '/read' })).json()).toEqual({ one: 1 });
    // A statement in flight when the server goes away.
    const inFlight = app.inject({ method: 'GET', url: '/read' });
    await pg.stop();
    const answers = [
      await inFlight,
      ...(await Promise.all(
        Array.from({ length: 30 }, (_, i) => app.inject({ method: i % 2 ? 'GET' : 'POST', url: i % 2 ? '/read' : '/write' })),
      )),
    ];
    for (const answer of answers.slice(1)) {
      expect(answer.statusCode).toBe(503);
      expect((answer.json() as ErrorBody).error.code).toBe('service_unavailable');
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect([200, 503]).toContain(answers[0]?.statusCode);
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect((health.json() as HealthBody).checks.db).toBe('error');

    await pg.start();
    // A loaded machine may still answer the first request after the restart with 503 (the connect
    // guard is about a second); a client retries after Retry-After, and nothing else is allowed.
    const { eventually } = await import('../../../test/support/eventually.js');
    const meanwhile: string[] = [];
    const back = await eventually(
      async () => {
        const answer = await app.inject({ method: 'POST', url: '/write' });
        if (answer.statusCode !== 200) meanwhile.push(`${answer.statusCode} retry-after=${answer.headers['retry-after'] ?? 'none'}`);
        return answer.statusCode === 200 && answer;
      },
      { what: 'a write succeeds after PostgreSQL is back', timeout: 15_000 },
    );
    expect(meanwhile.filter((answer) => !/^503 retry-after=[1-9]/.test(answer))).toEqual([]);
    expect(back.json()).toEqual({ two: 2 });
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('Redis down: health answers 200 degraded with checks.redis "error" while queries keep working; ok again once it is back', async () => {
    await redis.stop();
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'degraded', checks: { db: 'ok', redis: 'error' } });
    expect((await app.inject({ method: 'GET', url: '/read' })).statusCode).toBe(200);
    await redis.start();
    const { eventually } = await import('../../../test/support/eventually.js');
    await eventually(async () => ((await app.inject({ method: 'GET', url: '/health' })).json() as HealthBody).status === 'ok', {
      what: 'health ok after Redis returns',
      timeout: 15_000,
    });
  });
});
