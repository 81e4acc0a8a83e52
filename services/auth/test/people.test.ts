import { randomUUID } from 'node:crypto';
import type { App } from '@flux/server-kit';
import type { AccountDeletion, AuthTokens, ErrorBody, Person } from '@flux/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, type TestUser } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import { createOutbox, type EventBus } from '@flux/server-kit';
import type { AuthOutboxEvents } from '../src/context.js';
import { eraseDeletedAccounts } from '../src/people/erasure.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

const DAY = 86_400_000;

/** A real PNG, wider than tall, so the square crop shows. */
const png = (width = 800, height = 400) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .png()
    .toBuffer();
const imageForm = (bytes: Buffer, name = 'me.png', type = 'image/png') => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  return form;
};

describe('people: name, avatar, account deletion', () => {
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
  const colleagues = async () => {
    const tag = randomUUID().slice(0, 8);
    const ada = await make.user(`Ada ${tag}`);
    const bea = await make.user(`Bea ${tag}`);
    const stranger = await make.user(`Stranger ${tag}`);
    const org = await make.organization(ada);
    await make.member(org.id, bea, 'member');
    return { ada, bea, stranger, org, tag };
  };

  it('renames: the new name is what colleagues find', async () => {
    const { ada, bea, tag } = await colleagues();
    const renamed = await as(ada).patch<{ user: { name: string } }>('/api/auth/me', { name: `Ada Lovelace ${tag}` });
    expect(renamed.status).toBe(200);
    expect(renamed.body.user.name).toBe(`Ada Lovelace ${tag}`);
    expect((await as(bea).get<Person>(`/api/users/${ada.id}`)).body.name).toBe(`Ada Lovelace ${tag}`);
    expect((await as(ada).patch('/api/auth/me', { name: '' })).status).toBe(400);
  });

  it('stores an avatar cropped square and resized to 256 px WebP, served to colleagues with caching headers', async () => {
    const { ada, bea, stranger } = await colleagues();
    const uploaded = await as(ada).put<Person>('/api/auth/me/avatar', undefined, { form: imageForm(await png()) });
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.avatarUrl).toBe(`/api/users/${ada.id}/avatar?v=1`);
    expect((await as(bea).get<Person>(`/api/users/${ada.id}`)).body.avatarUrl).toBe(`/api/users/${ada.id}/avatar?v=1`);

    const served = await app.inject({
      method: 'GET',
      url: `/api/users/${ada.id}/avatar?v=1`,
      headers: { authorization: `Bearer ${bea.accessToken}` },
    });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/webp');
    expect(served.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    const etag = served.headers.etag as string;
    expect(etag).toBe(`"${ada.id}-1"`);
    const meta = await sharp(served.rawPayload).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'webp', width: 256, height: 256 });

    // The browser's revalidation: the same version is a 304 without a body.
    const again = await app.inject({
      method: 'GET',
      url: `/api/users/${ada.id}/avatar?v=1`,
      headers: { authorization: `Bearer ${bea.accessToken}`, 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);

    // A new upload is a new version and URL; the old URL now answers the current image, revalidated each time.
    const second = await as(ada).put<Person>('/api/auth/me/avatar', undefined, { form: imageForm(await png(300, 900)) });
    expect(second.body.avatarUrl).toBe(`/api/users/${ada.id}/avatar?v=2`);
    const old = await as(bea).get(`/api/users/${ada.id}/avatar?v=1`);
    expect(old.status).toBe(200);
    expect(old.headers.get('cache-control')).toBe('private, no-cache');
    expect(old.headers.get('etag')).toBe(`"${ada.id}-2"`);

    // Only people who share an organization (and the owner) see it.
    expect((await as(stranger).get(`/api/users/${ada.id}/avatar?v=2`)).status).toBe(404);
    expect((await as(ada).get(`/api/users/${ada.id}/avatar?v=2`)).status).toBe(200);
    expect((await as(undefined).get(`/api/users/${ada.id}/avatar?v=2`)).status).toBe(401);

    const removed = await as(ada).delete<Person>('/api/auth/me/avatar');
    expect(removed.body.avatarUrl).toBeNull();
    expect((await as(bea).get(`/api/users/${ada.id}/avatar?v=2`)).status).toBe(404);
  });

  it('refuses what is not an image (415), a missing part (400) and an oversized upload (413)', async () => {
    const { ada } = await colleagues();
    const text = await as(ada).put<ErrorBody>('/api/auth/me/avatar', undefined, {
      form: imageForm(Buffer.from('this is not a PNG at all'), 'fake.png'),
    });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media_type');
    const truncated = (await png()).subarray(0, 60);
    expect((await as(ada).put('/api/auth/me/avatar', undefined, { form: imageForm(truncated) })).status).toBe(415);
    expect((await as(ada).put('/api/auth/me/avatar', { file: 'x' })).status).toBe(415);
    const empty = new FormData();
    empty.append('note', 'no file');
    expect((await as(ada).put<ErrorBody>('/api/auth/me/avatar', undefined, { form: empty })).status).toBe(400);
    const huge = await as(ada).put<ErrorBody>('/api/auth/me/avatar', undefined, { form: imageForm(Buffer.alloc(6 * 1024 * 1024, 1)) });
    expect(huge.status).toBe(413);
    expect((await as(ada).get<Person>(`/api/users/${ada.id}`)).body.avatarUrl).toBeNull();
  });

  const erase = (now: Date) =>
    eraseDeletedAccounts(
      { db, events: app.events as EventBus, outbox: createOutbox<AuthOutboxEvents>('auth', process.env.REDIS_PREFIX ?? 'flux:') },
      { graceSeconds: 30 * 86_400, now },
    );
  const login = (email: string) => httpClient(app).post<AuthTokens>('/api/auth/login', { email, password: TEST_PASSWORD });
  const deleteAccount = async (user: TestUser) => {
    expect((await as(user).post('/api/auth/reauth', { password: TEST_PASSWORD })).status).toBe(200);
    return as(user).delete<AccountDeletion>('/api/auth/me');
  };

  it('deletes an account only after re-authentication, signs it out, and a sign-in within 30 days cancels it', async () => {
    const { ada } = await colleagues();
    const refused = await as(ada).delete<ErrorBody>('/api/auth/me');
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('reauth_required');

    const before = Date.now();
    const deleted = await deleteAccount(ada);
    expect(deleted.status).toBe(202);
    const due = new Date(deleted.body.deletionScheduledFor).getTime();
    expect(due).toBeGreaterThanOrEqual(before + 30 * DAY - 1000);
    expect(due).toBeLessThanOrEqual(Date.now() + 30 * DAY + 1000);
    // Every session ended: the refresh token is dead.
    expect((await httpClient(app).post('/api/auth/refresh', { refreshToken: ada.refreshToken })).status).toBe(401);

    // Signing in keeps the account, and the purge then leaves it alone.
    expect((await login(ada.email)).status).toBe(200);
    const row = await db
      .selectFrom('auth.users')
      .select(['deletion_requested_at', 'name'])
      .where('id', '=', ada.id)
      .executeTakeFirstOrThrow();
    expect(row.deletion_requested_at).toBeNull();
    const events = await db.selectFrom('auth.security_events').select('type').where('user_id', '=', ada.id).execute();
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['account_deletion_requested', 'account_deletion_cancelled']));
    await erase(new Date(Date.now() + 31 * DAY));
    expect((await login(ada.email)).status).toBe(200);
  });

  it('erases personal data once the grace is over and keeps a "Deleted user" tombstone', async () => {
    const { ada, bea, tag } = await colleagues();
    const erasedEvents: string[] = [];
    await app.streams.follow('user.erased', (event) => {
      erasedEvents.push(event.payload.userId);
    });
    await as(ada).put('/api/auth/me/avatar', undefined, { form: imageForm(await png()) });
    expect((await deleteAccount(ada)).status).toBe(202);

    // Within the grace period nothing is erased.
    await erase(new Date(Date.now() + 29 * DAY));
    expect((await db.selectFrom('auth.users').select('name').where('id', '=', ada.id).executeTakeFirstOrThrow()).name).toBe(`Ada ${tag}`);

    expect(await erase(new Date(Date.now() + 31 * DAY))).toBeGreaterThanOrEqual(1);
    const tombstone = await db.selectFrom('auth.users').selectAll().where('id', '=', ada.id).executeTakeFirstOrThrow();
    expect(tombstone).toMatchObject({
      name: 'Deleted user',
      email: `deleted-${ada.id}@deleted.invalid`,
      password_hash: null,
      mfa_secret: null,
      email_verified_at: null,
    });
    expect(tombstone.deleted_at).not.toBeNull();
    const left = async (
      table: 'auth.sessions' | 'auth.user_avatars' | 'auth.organization_members' | 'auth.security_events' | 'auth.known_devices',
    ) => (await db.selectFrom(table).select('user_id').where('user_id', '=', ada.id).execute()).length;
    expect({
      sessions: await left('auth.sessions'),
      avatars: await left('auth.user_avatars'),
      memberships: await left('auth.organization_members'),
      securityEvents: await left('auth.security_events'),
      devices: await left('auth.known_devices'),
    }).toEqual({ sessions: 0, avatars: 0, memberships: 0, securityEvents: 0, devices: 0 });
    // The other services learn it durably (their copies of the name become "Deleted user").
    await eventually(() => erasedEvents.includes(ada.id), { what: 'user.erased on its stream' });
    // Nobody can sign in as them, and colleagues no longer find them.
    expect((await login(ada.email)).status).toBe(401);
    expect((await as(bea).get(`/api/users/${ada.id}`)).status).toBe(404);
    // Running again erases nothing more.
    await erase(new Date(Date.now() + 31 * DAY));
    expect((await db.selectFrom('auth.users').select('deleted_at').where('id', '=', ada.id).executeTakeFirstOrThrow()).deleted_at).toEqual(
      tombstone.deleted_at,
    );
  });

  it('hands an erased sole owner’s organization to its longest-standing admin, announced as a membership change', async () => {
    const { ada, bea, org, tag } = await colleagues();
    const cy = await make.user(`Cy ${tag}`);
    await make.member(org.id, cy, 'admin');
    const changes: Array<{ userId: string; role: string | null }> = [];
    await app.streams.follow('membership.changed', (event) => {
      if (event.payload.organizationId === org.id) changes.push({ userId: event.payload.userId, role: event.payload.role });
    });
    expect((await deleteAccount(ada)).status).toBe(202);
    await erase(new Date(Date.now() + 31 * DAY));

    const roles = await db
      .selectFrom('auth.organization_members')
      .select(['user_id', 'role'])
      .where('organization_id', '=', org.id)
      .execute();
    // Bea joined before Cy, but an admin is preferred to a member.
    expect(Object.fromEntries(roles.map((r) => [r.user_id, r.role]))).toEqual({ [bea.id]: 'member', [cy.id]: 'owner' });
    await eventually(() => changes.length === 2, { what: 'both membership changes on the stream' });
    expect(changes).toEqual(
      expect.arrayContaining([
        { userId: ada.id, role: null },
        { userId: cy.id, role: 'owner' },
      ]),
    );
  });

  it('refuses the export without re-authentication, and answers 503 with Retry-After when messaging is unreachable', async () => {
    const { ada } = await colleagues();
    const refused = await as(ada).get<ErrorBody>('/api/auth/export');
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('reauth_required');
    const offline = await authApp({ MESSAGING_URL: 'http://127.0.0.1:9', COLLAB_URL: 'http://127.0.0.1:9' });
    try {
      const client = httpClient(offline, { token: ada.accessToken });
      expect((await client.post('/api/auth/reauth', { password: TEST_PASSWORD })).status).toBe(200);
      const answer = await client.get<ErrorBody>('/api/auth/export');
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe('service_unavailable');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await offline.close();
    }
  });
});
