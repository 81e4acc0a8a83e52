import { randomUUID } from 'node:crypto';
import type { AuthTokens, ClientToServerEvents, ErrorBody, ServerToClientEvents } from '@flux/shared';
import { CollabCloseCodes } from '@flux/shared/constants';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '../support/eventually.js';
import { httpClient } from '../support/http.js';
import { startStack, type Stack } from './stack.js';

/**
 * Revocation end to end: built services as processes, every call and socket through nginx. After
 * logout-all the session's access token is refused by messaging and collab, its Socket.IO socket
 * is told and disconnected, and its collab socket closed with 4401.
 */
describe('revocation through the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('logout-all ends the session on messaging and collab: REST 401, Socket.IO disconnected, collab closed 4401', async () => {
    const api = httpClient(stack.url);
    const signup = await api.post<AuthTokens>('/api/auth/signup', {
      email: `e2e-${randomUUID()}@test.flux.local`,
      password: `Flux-${randomUUID().slice(0, 8)}-correct-horse-battery`,
      name: 'Revoked',
    });
    expect(signup.status).toBe(201);
    const me = httpClient(stack.url, { token: signup.body.accessToken });
    const org = await me.post<{ id: string }>('/api/organizations', { name: `E2E ${randomUUID().slice(0, 8)}` });
    const project = await me.post<{ id: string }>(`/api/organizations/${org.body.id}/projects`, { name: 'Docs' });
    const document = await me.post<{ id: string }>('/api/documents', { projectId: project.body.id, title: 'Revocation' });
    expect(document.status).toBe(201);
    expect((await me.get('/api/conversations')).status).toBe(200);

    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(stack.url, {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: { token: signup.body.accessToken },
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const collab = new WebSocket(
      `${stack.url.replace('http', 'ws')}/collab/${document.body.id}?token=${encodeURIComponent(signup.body.accessToken)}`,
    );
    // Admitted: the server answers the client's first frames (or speaks first) once access is decided.
    await new Promise<void>((resolve, reject) => {
      collab.once('message', () => resolve());
      collab.once('close', (code) => reject(new Error(`collab closed ${code} before admission`)));
    });
    const told = new Promise<{ reason: string }>((resolve) => socket.once('session:revoked', resolve));
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const closed = new Promise<number>((resolve) => collab.once('close', resolve));

    const started = Date.now();
    expect((await me.post('/api/auth/logout-all')).status).toBe(204);
    expect(await told).toEqual({ reason: 'logout_all' });
    expect(await disconnected).toBe('io server disconnect');
    const socketMs = Date.now() - started;
    expect(await closed).toBe(CollabCloseCodes.unauthorized);
    const collabMs = Date.now() - started;
    const messaging = await eventually(async () => {
      const answer = await me.get<ErrorBody>('/api/conversations');
      return answer.status === 401 && answer;
    });
    const documents = await eventually(async () => {
      const answer = await me.get<ErrorBody>(`/api/documents/${document.body.id}`);
      return answer.status === 401 && answer;
    });
    const restMs = Date.now() - started;
    expect(messaging.body.error.code).toBe('invalid_token');
    expect(documents.body.error.code).toBe('invalid_token');
    console.info(`gateway revocation: Socket.IO ${socketMs} ms, collab socket ${collabMs} ms, both REST refused by ${restMs} ms`);
  });
});
