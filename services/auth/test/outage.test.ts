import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import type { AuthTokens, ErrorBody, HealthBody, MeResponse, Organization } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { type HttpAnswer, httpClient } from '../../../test/support/http.js';
import { PrivatePostgres, PrivateRedis } from '../../../test/support/private-stores.js';
import { authApp } from './helpers.js';

/** Auth on its own PostgreSQL and Redis, which these tests stop and start again. */
describe('auth through dependency outages', () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let app: App;
  beforeAll(async () => {
    [pg, redis] = await Promise.all([new PrivatePostgres().init(), new PrivateRedis().init()]);
    // A load of creates from one account: the hourly creation cap is not what this test is about.
    app = await authApp({ DATABASE_URL: pg.url, REDIS_URL: redis.url, AUTH_ORGANIZATIONS_PER_HOUR: '100000' });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([pg?.destroy(), redis?.destroy()]);
  });

  const http = () => httpClient(app);
  const signup = async () => {
    const email = `outage-${randomUUID()}@test.flux.local`;
    const answer = await http().post<AuthTokens>('/api/auth/signup', { email, password: TEST_PASSWORD, name: 'Outage' });
    return { email, answer };
  };
  /** One round of what a signed-in person does: sign in, refresh, read, write. Every answer kept. */
  const round = async (email: string): Promise<HttpAnswer<unknown>[]> => {
    const login = await http().post<AuthTokens>('/api/auth/login', { email, password: TEST_PASSWORD });
    if (login.status !== 200) return [login];
    const refresh = await http().post<AuthTokens>('/api/auth/refresh', { refreshToken: login.body.refreshToken });
    const as = http().as(login.body.accessToken);
    const me = await as.get<MeResponse>('/api/auth/me');
    const created = await as.post<Organization>('/api/organizations', { name: `Org ${randomUUID().slice(0, 6)}` });
    const mine = await as.get('/api/organizations');
    return [login, refresh, me, created, mine];
  };

  it('Redis down for 10 s under load: sign-up, sign-in, refresh, reads and writes all succeed, health says degraded (200), ok again after', async () => {
    const { email } = await signup();
    await redis.stop();
    const statuses: number[] = [];
    const until = Date.now() + 10_000;
    let rounds = 0;
    while (Date.now() < until) {
      const fresh = await signup();
      statuses.push(fresh.answer.status, ...(await round(rounds % 2 ? email : fresh.email)).map((a) => a.status));
      rounds += 1;
    }
    const health = await http().get<HealthBody>('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', checks: { db: 'ok', redis: 'error' } });
    await redis.start();

    expect(rounds).toBeGreaterThan(2);
    expect(statuses.filter((s) => s >= 300)).toEqual([]);
    await eventually(async () => (await http().get<HealthBody>('/health')).body.status === 'ok', {
      what: 'health ok again',
      timeout: 15_000,
    });
    expect((await round(email)).map((a) => a.status)).toEqual([200, 200, 200, 201, 200]);
  });

  it('PostgreSQL restart under load: 503 service_unavailable with Retry-After while it is down, never a 500, everything works again after', async () => {
    const { email, answer } = await signup();
    expect(answer.status).toBe(201);
    const outage: HttpAnswer<unknown>[] = [];
    const stopping = pg.stop();
    // Rounds overlap the shutdown and the outage.
    for (let i = 0; i < 5; i++) outage.push(...(await round(email)), (await signup()).answer);
    await stopping;
    const down = [...(await round(email)), (await signup()).answer];
    const health = await http().get<HealthBody>('/health');
    await pg.start();

    for (const failed of down) {
      expect(failed.status).toBe(503);
      expect((failed.body as ErrorBody).error.code).toBe('service_unavailable');
      expect(Number(failed.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(outage.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
    expect(health.status).toBe(503);
    expect(health.body.checks.db).toBe('error');
    // Recovery without a restart: the pool reconnects by itself (the first requests may still meet a dropped connection).
    await eventually(
      async () => {
        expect((await round(email)).map((a) => a.status)).toEqual([200, 200, 200, 201, 200]);
        return true;
      },
      { what: 'auth recovers once PostgreSQL is back', timeout: 10_000 },
    );
  });
});
