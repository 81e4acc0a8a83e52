// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiContext } from '../api/api-context.js';
import { ApiClient } from '../api/client.js';
import { AuthProvider } from './auth-context.js';
import SignIn from './sign-in.js';

const user = { id: 'u1', email: 'ada@example.com', name: 'Ada', emailVerified: true, isAdmin: false, createdAt: '2026-01-01T00:00:00Z' };

function renderWith(handler: (path: string, body: Record<string, unknown>) => { status: number; body?: unknown }) {
  const logins: Array<Record<string, unknown>> = [];
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    if (path === '/api/auth/login') logins.push(body);
    const answer =
      path === '/api/auth/csrf'
        ? { status: 200, body: { csrfToken: 'c' } }
        : path === '/api/auth/refresh'
          ? { status: 401, body: { error: { code: 'unauthorized', message: 'no session' } } }
          : handler(path, body);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status });
  }) as typeof fetch;
  const api = new ApiClient(impl, null);
  render(
    <ApiContext value={api}>
      <AuthProvider>
        <SignIn />
      </AuthProvider>
    </ApiContext>,
  );
  return { api, logins };
}

afterEach(cleanup);

describe('SignIn', () => {
  it('shows the server error next to the field it belongs to', async () => {
    renderWith(() => ({
      status: 400,
      body: {
        error: {
          code: 'validation_error',
          message: 'x',
          details: { field: 'email', fields: [{ field: 'email', message: 'must match format "email"' }] },
        },
      },
    }));
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'nope' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'whatever-long' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const message = await screen.findByText('Enter a valid email address.');
    const input = screen.getByLabelText('Email');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toContain(message.id);
  });

  it('asks for the TOTP code on mfa_required and sends it with the same credentials', async () => {
    const { api, logins } = renderWith((_, body) =>
      body.otp === '123456'
        ? { status: 200, body: { user, accessToken: 'tok', refreshToken: 'r', expiresIn: 900 } }
        : { status: 401, body: { error: { code: 'mfa_required', message: 'MFA code required' } } },
    );
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ada@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'correct horse battery' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const code = await screen.findByLabelText('Authentication code');
    fireEvent.change(code, { target: { value: '123 456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(api.tokens.token).toBe('tok'));
    expect(logins.at(-1)).toEqual({ email: 'ada@example.com', password: 'correct horse battery', otp: '123456' });
  });

  it('says when the password is wrong, in words, without raw JSON', async () => {
    renderWith(() => ({ status: 401, body: { error: { code: 'invalid_credentials', message: 'Invalid email or password' } } }));
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ada@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'wrong-password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('That email and password do not match.');
  });
});
