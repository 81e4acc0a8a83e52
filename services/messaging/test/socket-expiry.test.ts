import type { AuthTokens } from '@flux/shared';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startAuth, startMessaging, type AuthHarness, type MessagingServer } from './helpers.js';

describe('a socket and its token', () => {
  let auth: AuthHarness;
  let server: MessagingServer;
  beforeAll(async () => {
    // The shortest access tokens auth allows, so the expiry is reached within the test.
    auth = await startAuth({ AUTH_ACCESS_TOKEN_TTL_SECONDS: '10' });
    server = await startMessaging(auth);
  });
  afterAll(async () => {
    await server?.close();
    await auth?.close();
  });

  it('lives no longer than its token; the client reconnects with a fresh one', async () => {
    // A real sign-up, not a factory user: the token must carry this harness's 10 s lifetime.
    const ada = await auth.signup('Ada');
    let token = ada.accessToken;
    const socket = io(server.url, {
      path: '/socket.io/',
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 200,
      auth: (cb) => cb({ token }),
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      // At expiry the transport closes (a reason the client reconnects after), and the stale
      // token is refused on the way back in.
      const reason = await new Promise<string>((resolve) => socket.once('disconnect', resolve));
      expect(reason).toBe('transport close');
      const refused = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
      expect(refused.message).toBe('unauthorized');

      const refreshed = await client(auth.url, undefined).post<AuthTokens>('/api/auth/refresh', { refreshToken: ada.refreshToken });
      expect(refreshed.status).toBe(200);
      token = refreshed.body.accessToken;
      await new Promise<void>((resolve) => {
        socket.once('connect', () => resolve());
        socket.connect();
      });
      expect(socket.connected).toBe(true);
    } finally {
      socket.disconnect();
    }
  });
});
