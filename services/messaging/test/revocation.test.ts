import type { ErrorBody } from '@flux/shared';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import { type AuthHarness, type ClientSocket, connect, type MessagingServer, startAuth, startMessaging } from './helpers.js';

describe('revoked sessions on messaging', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  beforeAll(async () => {
    auth = await startAuth();
    server = await startMessaging(auth);
  });
  afterAll(async () => {
    await server?.close();
    await auth?.close();
  });

  it('after logout-all the same access token gets 401 invalid_token and its open socket is told and disconnected', async () => {
    const ada = await auth.signup('Ada');
    const api = httpClient(server.url, { token: ada.accessToken });
    expect((await api.get('/api/conversations')).status).toBe(200);
    const socket: ClientSocket = await connect(server.url, ada);
    const told = new Promise<{ reason: string }>((resolve) => socket.once('session:revoked', resolve));
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

    const started = Date.now();
    expect((await httpClient(auth.url, { token: ada.accessToken }).post('/api/auth/logout-all')).status).toBe(204);

    expect(await told).toEqual({ reason: 'logout_all' });
    // A server-side disconnect: the stock client does not reconnect on its own after it.
    expect(await disconnected).toBe('io server disconnect');
    const socketMs = Date.now() - started;
    const refused = await eventually(async () => {
      const answer = await api.get<ErrorBody>('/api/conversations');
      return answer.status === 401 && answer;
    });
    const restMs = Date.now() - started;
    expect(refused.body.error.code).toBe('invalid_token');
    console.info(`messaging revocation: socket disconnected after ${socketMs} ms, REST refused after ${restMs} ms`);

    // A new socket with the revoked session's token is refused at the handshake.
    const again = io(server.url, {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: { token: ada.accessToken },
      reconnection: false,
      forceNew: true,
    });
    try {
      const error = await new Promise<Error>((resolve) => again.once('connect_error', resolve));
      expect(error.message).toBe('unauthorized');
    } finally {
      again.disconnect();
    }
  });

  it('a messaging instance started after the revocation refuses the session too (recorded in Redis)', async () => {
    const bob = await auth.signup('Bob');
    expect((await httpClient(auth.url, { token: bob.accessToken }).post('/api/auth/logout')).status).toBe(204);
    const api = httpClient(server.url, { token: bob.accessToken });
    await eventually(async () => (await api.get('/api/conversations')).status === 401, { what: 'the running instance refuses it' });
    const later = await startMessaging(auth);
    try {
      const answer = await httpClient(later.url, { token: bob.accessToken }).get<ErrorBody>('/api/conversations');
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('invalid_token');
    } finally {
      await later.close();
    }
  });

  it('leaves other sessions of the same user alone when one session logs out', async () => {
    const cy = await auth.signup('Cy');
    const login = await httpClient(auth.url).post<{ accessToken: string }>('/api/auth/login', {
      email: cy.email,
      password: TEST_PASSWORD,
    });
    expect(login.status).toBe(200);
    const other = { accessToken: login.body.accessToken };
    const kept = await connect(server.url, other);
    expect((await httpClient(auth.url, { token: cy.accessToken }).post('/api/auth/logout')).status).toBe(204);
    await eventually(async () => (await httpClient(server.url, { token: cy.accessToken }).get('/api/conversations')).status === 401);
    expect((await httpClient(server.url, { token: other.accessToken }).get('/api/conversations')).status).toBe(200);
    expect(kept.connected).toBe(true);
  });
});
