import type { ErrorBody } from '@flux/shared';
import { CollabCloseCodes } from '@flux/shared/constants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { type AuthHarness, startAuth } from '../../../test/support/auth.js';
import { eventually } from '../../../test/support/eventually.js';
import { httpClient } from '../../../test/support/http.js';
import { type CollabServer, closeCode, type Fixture, filePrefix, fixture, people, rawSocket, startCollab } from './helpers.js';

/** Raw sockets (nothing reconnects) that have been admitted: the server answered sync step 1. */
async function admitted(ws: WebSocket): Promise<WebSocket> {
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('close', (code) => reject(new Error(`closed ${code} before admission`)));
  });
  return ws;
}

describe('collab sockets and revoked or expired sessions', () => {
  let auth: AuthHarness;
  let collab: CollabServer;
  let f: Fixture;
  beforeAll(async () => {
    const prefix = filePrefix();
    // The shortest access tokens auth allows, so the expiry is reached within the test.
    auth = await startAuth({ REDIS_PREFIX: prefix, AUTH_ACCESS_TOKEN_TTL_SECONDS: '10' });
    collab = await startCollab(auth, { REDIS_PREFIX: prefix });
    f = await fixture(auth, collab);
  });
  afterAll(async () => {
    await collab?.close();
    await auth?.close();
  });

  it('after logout-all the same token gets 401 invalid_token on REST and its open socket is closed 4401', async () => {
    const writer = await people(auth).user();
    await people(auth).member(f.organizationId, writer, 'member');
    const api = httpClient(collab.url, { token: writer.accessToken });
    expect((await api.get(`/api/documents/${f.documentId}`)).status).toBe(200);
    const ws = await admitted(rawSocket(collab.wsUrl, f.documentId, writer.accessToken));
    const closed = closeCode(ws);

    const started = Date.now();
    expect((await httpClient(auth.url, { token: writer.accessToken }).post('/api/auth/logout-all')).status).toBe(204);
    expect(await closed).toBe(CollabCloseCodes.unauthorized);
    const socketMs = Date.now() - started;
    const refused = await eventually(async () => {
      const answer = await api.get<ErrorBody>(`/api/documents/${f.documentId}`);
      return answer.status === 401 && answer;
    });
    const restMs = Date.now() - started;
    expect(refused.body.error.code).toBe('invalid_token');
    console.info(`collab revocation: socket closed after ${socketMs} ms, REST refused after ${restMs} ms`);

    // Coming back with the revoked session's token is refused at admission.
    expect(await closeCode(rawSocket(collab.wsUrl, f.documentId, writer.accessToken))).toBe(CollabCloseCodes.unauthorized);
  });

  it('closes a socket with 4401 when its access token expires', async () => {
    // Signed up through auth: a token of this harness's 10 s lifetime.
    const reader = await auth.signup('Reader');
    await people(auth).member(f.organizationId, reader, 'member');
    const ws = await admitted(rawSocket(collab.wsUrl, f.documentId, reader.accessToken));
    const code = await closeCode(ws);
    expect(code).toBe(CollabCloseCodes.unauthorized);
  }, 30_000);
});
