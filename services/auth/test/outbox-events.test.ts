import type { App, DurableEvent } from '@flux/server-kit';
import type { AuthTokens, DurableEventName, Organization, Page, SessionInfo } from '@flux/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import { factories } from './factories.js';
import { authApp, testDatabase } from './helpers.js';

/**
 * The durable events auth writes through its outbox, read off the Redis streams as other services
 * read them (a follower from now on), after the relay of this app moved them.
 */
describe('durable events from auth', () => {
  let app: App;
  const { db } = testDatabase();
  const make = factories(db);
  const heard: { [N in DurableEventName]: DurableEvent<N>[] } = {
    'sessions.revoked': [],
    'membership.changed': [],
    'document.deleted': [],
    'user.erased': [],
  };

  beforeAll(async () => {
    app = await authApp();
    await app.streams.follow('sessions.revoked', (event) => {
      heard['sessions.revoked'].push(event);
    });
    await app.streams.follow('membership.changed', (event) => {
      heard['membership.changed'].push(event);
    });
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const revocationsOf = (userId: string) => heard['sessions.revoked'].filter((event) => event.payload.userId === userId);
  const login = async (email: string) => {
    const answer = await httpClient(app).post<AuthTokens>('/api/auth/login', { email, password: TEST_PASSWORD });
    expect(answer.status).toBe(200);
    return answer.body;
  };

  it('logout-all announces every session it ended, with when their access tokens run out', async () => {
    const user = await make.user();
    const second = await login(user.email);
    const answer = await httpClient(app, { token: second.accessToken }).post('/api/auth/logout-all');
    expect(answer.status).toBe(204);
    const [event] = await eventually(() => {
      const events = revocationsOf(user.id);
      return events.length > 0 && events;
    });
    expect(event?.payload.reason).toBe('logout_all');
    expect(event?.payload.sessionIds).toHaveLength(2);
    expect(Date.parse(event?.payload.until ?? '')).toBeGreaterThan(Date.now());
  });

  it('logout, session revoke, refresh-token reuse and password reset each announce the sessions they ended', async () => {
    const user = await make.user();
    const http = httpClient(app);

    const other = await login(user.email);
    const sessions = await http.get<Page<SessionInfo> | SessionInfo[]>('/api/auth/sessions', { token: user.accessToken });
    const items = Array.isArray(sessions.body) ? sessions.body : sessions.body.items;
    const otherId = items.find((session) => !session.current)?.id;
    expect(otherId).toBeDefined();
    expect((await http.delete(`/api/auth/sessions/${otherId}`, { token: user.accessToken })).status).toBe(204);
    await eventually(() =>
      revocationsOf(user.id).some((e) => e.payload.reason === 'revoked_by_user' && e.payload.sessionIds[0] === otherId),
    );
    // That session's own token is refused by auth at once (its other services follow the event).
    expect((await http.get('/api/auth/me', { token: other.accessToken })).status).toBe(401);

    const third = await login(user.email);
    expect((await http.post('/api/auth/logout', undefined, { token: third.accessToken })).status).toBe(204);
    await eventually(() => revocationsOf(user.id).some((e) => e.payload.reason === 'logout'));

    const fourth = await login(user.email);
    expect((await http.post('/api/auth/refresh', { refreshToken: fourth.refreshToken })).status).toBe(200);
    await db
      .updateTable('auth.refresh_tokens')
      .set({ used_at: new Date(Date.now() - 11_000) })
      .where('used_at', 'is not', null)
      .where('session_id', 'in', db.selectFrom('auth.sessions').select('id').where('user_id', '=', user.id))
      .execute();
    expect((await http.post('/api/auth/refresh', { refreshToken: fourth.refreshToken })).status).toBe(401);
    await eventually(() => revocationsOf(user.id).some((e) => e.payload.reason === 'refresh_token_reused'));

    const token = await make.emailToken(user, 'reset_password');
    expect((await http.post('/api/auth/password/reset', { token, password: `${TEST_PASSWORD}-new` })).status).toBe(202);
    const reset = await eventually(() => revocationsOf(user.id).find((e) => e.payload.reason === 'password_reset'));
    // The session the factory made is among those the reset ended.
    expect(reset.payload.sessionIds.length).toBeGreaterThanOrEqual(1);
  });

  it('creating an organization announces the owner membership with the same transaction', async () => {
    const owner = await make.user();
    const created = await httpClient(app, { token: owner.accessToken }).post<Organization>('/api/organizations', { name: 'Outbox Org' });
    expect(created.status).toBe(201);
    const event = await eventually(() =>
      heard['membership.changed'].find((e) => e.payload.organizationId === created.body.id && e.payload.userId === owner.id),
    );
    expect(event.payload.role).toBe('owner');
  });
});
