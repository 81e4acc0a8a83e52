// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiContext } from './api/api-context.js';
import { ApiClient } from './api/client.js';
import { App } from './app.js';
import { AuthProvider } from './auth/auth-context.js';

afterEach(cleanup);

describe('App', () => {
  it('says the server cannot be reached instead of signing out, and recovers on retry', async () => {
    let online = false;
    const impl = (async (input: RequestInfo | URL) => {
      if (!online) throw new TypeError('Failed to fetch');
      const path = String(input);
      if (path === '/api/auth/csrf') return new Response(JSON.stringify({ csrfToken: 'c' }), { status: 200 });
      return new Response(JSON.stringify({ error: { code: 'invalid_refresh_token', message: 'no session' } }), { status: 401 });
    }) as typeof fetch;
    history.replaceState(null, '', '/projects/p1');
    render(
      <ApiContext value={new ApiClient(impl, null)}>
        <AuthProvider>
          <App />
        </AuthProvider>
      </ApiContext>,
    );
    await screen.findByRole('heading', { name: 'Cannot reach FluxStudio' });
    expect(location.pathname).toBe('/projects/p1');

    online = true;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    // Reachable and no session: on to sign-in, remembering where the person was going.
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(location.pathname + location.search).toBe(`/signin?next=${encodeURIComponent('/projects/p1')}`);
  });
});
