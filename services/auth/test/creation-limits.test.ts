import type { App } from '@flux/server-kit';
import type { ErrorBody } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../../../test/support/http.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

describe('creation caps', () => {
  let app: App;
  const { db } = testDatabase();
  const make = factories(db);
  beforeAll(async () => {
    app = await authApp({ AUTH_ORGANIZATIONS_PER_HOUR: '2', AUTH_PROJECTS_PER_HOUR: '2' });
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const refused = (answer: { status: number; body: ErrorBody; headers: Headers }) => {
    expect(answer.status).toBe(429);
    expect(answer.body.error.code).toBe('rate_limited');
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  };

  it('caps the organizations one account creates per hour with 429 and Retry-After; another account has its own budget', async () => {
    const [busy, other] = [await make.user('Busy founder'), await make.user('Other founder')];
    const create = (token: string, name: string) => httpClient(app, { token }).post<ErrorBody>('/api/organizations', { name });
    for (const name of ['One', 'Two']) expect((await create(busy.accessToken, name)).status).toBe(201);
    refused(await create(busy.accessToken, 'Three'));
    expect((await create(other.accessToken, 'Elsewhere')).status).toBe(201);
  });

  it('caps the projects one account creates per hour with 429 and Retry-After', async () => {
    const owner = await make.user('Project maker');
    const org = await make.organization(owner);
    const http = httpClient(app, { token: owner.accessToken });
    const create = (name: string) => http.post<ErrorBody>(`/api/organizations/${org.id}/projects`, { name });
    for (const name of ['Brief', 'Launch']) expect((await create(name)).status).toBe(201);
    refused(await create('One too many'));
  });
});
