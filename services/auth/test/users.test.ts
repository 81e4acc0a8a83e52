import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import type { Page, Person } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../../../test/support/http.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

describe('people (GET /api/users)', () => {
  let app: App;
  const { db } = testDatabase();
  const make = factories(db);
  beforeAll(async () => {
    app = await authApp();
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const as = (user: { accessToken: string } | undefined) => httpClient(app, { token: user?.accessToken });

  it('finds only people who share an organization with the caller, by name, without emails', async () => {
    const tag = randomUUID().slice(0, 8);
    const ada = await make.user(`Ada ${tag}`);
    const bea = await make.user(`Bea ${tag}`);
    const cy = await make.user(`Cy ${tag}`);
    const stranger = await make.user(`Bea ${tag} stranger`);
    const org = await make.organization(ada);
    await make.member(org.id, bea, 'member');
    const other = await make.organization(cy);
    await make.member(other.id, ada, 'guest');
    await make.organization(stranger);

    const all = await as(ada).get<Page<Person>>('/api/users', { query: { q: tag } });
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      items: [
        { id: ada.id, name: `Ada ${tag}`, avatarUrl: null },
        { id: bea.id, name: `Bea ${tag}`, avatarUrl: null },
        { id: cy.id, name: `Cy ${tag}`, avatarUrl: null },
      ],
      nextCursor: null,
    });
    expect((await as(ada).get<Page<Person>>('/api/users', { query: { q: `bea ${tag}` } })).body.items).toEqual([
      { id: bea.id, name: `Bea ${tag}`, avatarUrl: null },
    ]);
    // Bea and Cy share no organization: neither finds the other.
    expect((await as(bea).get<Page<Person>>('/api/users', { query: { q: tag } })).body.items.map((u) => u.id).sort()).toEqual(
      [ada.id, bea.id].sort(),
    );
    // LIKE wildcards are plain characters.
    expect((await as(ada).get<Page<Person>>('/api/users', { query: { q: '%' } })).body.items).toEqual([]);

    expect((await as(ada).get<Person>(`/api/users/${cy.id}`)).body).toEqual({ id: cy.id, name: `Cy ${tag}`, avatarUrl: null });
    expect((await as(ada).get(`/api/users/${stranger.id}`)).status).toBe(404);
    expect((await as(bea).get(`/api/users/${cy.id}`)).status).toBe(404);
    expect((await as(ada).get(`/api/users/${randomUUID()}`)).status).toBe(404);
    expect((await as(ada).get('/api/users/not-a-uuid')).status).toBe(400);
    expect((await as(ada).get('/api/users', { query: { limit: 51 } })).status).toBe(400);
    expect((await as(undefined).get('/api/users')).status).toBe(401);
  });
});
