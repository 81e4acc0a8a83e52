import { describe, expect, it } from 'vitest';
import { ApiClient } from './client.js';
import { ApiError } from './errors.js';

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** A fake server: records calls and answers from a handler. */
function fakeFetch(handler: (call: Call) => { status: number; body?: unknown; headers?: Record<string, string> }) {
  const calls: Call[] = [];
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call: Call = {
      method: init?.method ?? 'GET',
      path: String(input),
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const answer = handler(call);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json', ...answer.headers },
    });
  }) as typeof fetch;
  return { calls, impl };
}

const user = { id: 'u1', email: 'a@b.co', name: 'A', emailVerified: true, isAdmin: false, createdAt: '2026-01-01T00:00:00Z' };

describe('ApiClient', () => {
  it('sends the bearer token from memory, JSON in and out', async () => {
    const server = fakeFetch(() => ({ status: 201, body: { id: 'o1' } }));
    const api = new ApiClient(server.impl, null);
    api.adopt({ user, accessToken: 'tok', expiresIn: 900 });
    expect(await api.post('/api/organizations', { name: 'Acme' })).toEqual({ id: 'o1' });
    expect(server.calls[0]).toMatchObject({
      method: 'POST',
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
      body: { name: 'Acme' },
    });
  });

  it('refreshes with the cookie and the CSRF header on 401, then retries once', async () => {
    let token = 'old';
    const server = fakeFetch((call) => {
      if (call.path === '/api/auth/csrf') return { status: 200, body: { csrfToken: 'csrf-1' } };
      if (call.path === '/api/auth/refresh') {
        token = 'new';
        return { status: 200, body: { user, accessToken: 'new', refreshToken: 'r', expiresIn: 900 } };
      }
      return call.headers.authorization === `Bearer ${token}` && token === 'new'
        ? { status: 200, body: { items: [] } }
        : { status: 401, body: { error: { code: 'invalid_token', message: 'expired' } } };
    });
    const api = new ApiClient(server.impl, null);
    api.adopt({ user, accessToken: 'old', expiresIn: 900 });
    expect(await api.get('/api/projects')).toEqual({ items: [] });
    const refresh = server.calls.find((c) => c.path === '/api/auth/refresh');
    expect(refresh?.headers['x-csrf-token']).toBe('csrf-1');
    expect(server.calls.at(-1)?.headers.authorization).toBe('Bearer new');
    expect(server.calls.filter((c) => c.path === '/api/projects')).toHaveLength(2);
  });

  it('turns the error envelope into an ApiError with field messages', async () => {
    const server = fakeFetch(() => ({
      status: 400,
      body: {
        error: {
          code: 'validation_error',
          message: 'name: required',
          details: { field: 'name', fields: [{ field: 'name', message: 'must NOT have fewer than 1 characters' }] },
        },
      },
    }));
    const api = new ApiClient(server.impl, null);
    const error = await api.post('/api/organizations', { name: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).fields).toEqual({ name: 'This field is required.' });
  });

  it('does not try to refresh when a credential call answers 401', async () => {
    const server = fakeFetch(() => ({ status: 401, body: { error: { code: 'mfa_required', message: 'otp needed' } } }));
    const api = new ApiClient(server.impl, null);
    const error = await api.credential('/api/auth/login', { email: 'a@b.co', password: 'x' }).catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('mfa_required');
    expect(server.calls.map((c) => c.path)).toEqual(['/api/auth/login']);
  });

  it('reports a network failure in words', async () => {
    const api = new ApiClient(
      (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch,
      null,
    );
    await expect(api.get('/api/organizations')).rejects.toThrow('Cannot reach FluxStudio');
  });

  it('retries with a token that arrived while the request was out, without refreshing again', async () => {
    let api!: ApiClient;
    const server = fakeFetch((call) => {
      if (call.path === '/api/auth/refresh')
        return { status: 200, body: { user, accessToken: 'unexpected', refreshToken: 'r', expiresIn: 900 } };
      if (call.headers.authorization === 'Bearer old') {
        // Another tab's refresh lands while this request is on its way.
        api.tokens.set({ accessToken: 'new', expiresIn: 900 });
        return { status: 401, body: { error: { code: 'invalid_token', message: 'expired' } } };
      }
      return { status: 200, body: { ok: true } };
    });
    api = new ApiClient(server.impl, null);
    api.adopt({ user, accessToken: 'old', expiresIn: 900 });
    expect(await api.get('/api/organizations')).toEqual({ ok: true });
    expect(server.calls.map((c) => c.path)).toEqual(['/api/organizations', '/api/organizations']);
    expect(server.calls[1]?.headers.authorization).toBe('Bearer new');
  });
});
