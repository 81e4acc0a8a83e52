import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import type { AuthGrant } from '../api/client.js';
import { Field, FormError } from '../components/field.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { useForm } from '../components/use-form.js';
import { Link, navigate, useLocation } from '../router.js';
import { AuthLayout } from './auth-layout.js';
import { useAuth } from './auth-context.js';
import { OAuthButtons } from './oauth-buttons.js';

export default function SignIn() {
  const api = useApi();
  const { signedIn } = useAuth();
  const { query } = useLocation();
  // After the server answers mfa_required, the same form asks for the code and keeps the password.
  const [credentials, setCredentials] = useState<{ email: string; password: string } | null>(null);

  const form = useForm(
    async (values) => {
      const body = credentials
        ? { ...credentials, otp: values.otp?.replace(/\s/g, '') }
        : { email: values.email, password: values.password };
      try {
        return await api.credential<AuthGrant>('/api/auth/login', body);
      } catch (error) {
        if (!credentials && (error as { code?: string }).code === 'mfa_required') {
          setCredentials({ email: values.email ?? '', password: values.password ?? '' });
          return null;
        }
        throw error;
      }
    },
    (grant) => {
      if (!grant) return;
      signedIn(grant);
      navigate(safeNext(query.get('next')), { replace: true });
    },
  );

  const providerError = query.get('error');
  useDocumentTitle('Sign in');

  if (credentials) {
    return (
      <AuthLayout title="Two-step verification">
        <p className="muted">Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
        <form onSubmit={form.onSubmit} noValidate>
          <FormError error={form.error} />
          <Field
            label="Authentication code"
            name="otp"
            inputMode="numeric"
            autoComplete="one-time-code"
            autoFocus
            required
            error={form.fields.otp}
          />
          <button type="submit" className="button block" disabled={form.busy}>
            {form.busy ? 'Verifying…' : 'Verify'}
          </button>
          <button type="button" className="button link" onClick={() => setCredentials(null)}>
            Use a different account
          </button>
        </form>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Sign in"
      footer={
        <>
          New to FluxStudio? <Link to="/signup">Create an account</Link>
        </>
      }
    >
      <form onSubmit={form.onSubmit} noValidate>
        <FormError error={form.error ?? (providerError ? oauthErrorMessage(providerError) : null)} />
        <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus error={form.fields.email} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required error={form.fields.password} />
        <div className="row-end">
          <Link to="/forgot-password">Forgot password?</Link>
        </div>
        <button type="submit" className="button block" disabled={form.busy}>
          {form.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <OAuthButtons />
    </AuthLayout>
  );
}

/** Only same-app paths, so a crafted ?next= cannot send people elsewhere. */
export function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** The OAuth callback sends people back to /signin?error=<code> when the provider sign-in fails. */
export function oauthErrorMessage(code: string): string {
  switch (code) {
    case 'oauth_denied':
      return 'The provider did not sign you in. You can try again or use your password.';
    case 'oauth_email_unverified':
      return 'The provider did not confirm your email address, so we could not sign you in with it.';
    case 'oauth_state_mismatch':
      return 'That sign-in attempt expired or was started in another browser. Please start again.';
    case 'email_taken':
      return 'An account with this email already exists. Sign in with your password.';
    default:
      return 'Signing in with the provider did not work. Please try again.';
  }
}
