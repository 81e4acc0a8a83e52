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
  const next = query.get('next');
  const oauthStep = query.get('oauth');
  useDocumentTitle('Sign in');

  if (oauthStep === 'mfa' || oauthStep === 'link') return <OAuthStep kind={oauthStep} provider={query.get('provider') ?? ''} />;

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
          New to FluxStudio? <Link to={next ? `/signup?next=${encodeURIComponent(next)}` : '/signup'}>Create an account</Link>
        </>
      }
    >
      {query.get('deleted') && (
        <p className="notice" role="status">
          Your account is scheduled for deletion on {new Date(query.get('deleted') ?? '').toLocaleDateString()}. Sign in before then to keep
          it.
        </p>
      )}
      {safeNext(next).startsWith('/invite') && (
        <p className="notice" role="status">
          Sign in, or create an account, to accept your invitation.
        </p>
      )}
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
      return 'An account with this email already exists. Sign in the way you did before: with its password, or the provider you used.';
    default:
      return 'Signing in with the provider did not work. Please try again.';
  }
}

const providerLabels: Record<string, string> = { google: 'Google', github: 'GitHub' };

/**
 * The step after a provider's callback that still needs the person: the TOTP code of an account
 * with two-step verification (`mfa`), or, to link the provider to an existing account, that
 * account's password once (`link`, plus the code when it has two-step verification). The server
 * keeps the step in an httpOnly cookie of this browser; the answer is an ordinary sign-in.
 */
function OAuthStep({ kind, provider }: { kind: 'mfa' | 'link'; provider: string }) {
  const api = useApi();
  const { signedIn } = useAuth();
  const [needsCode, setNeedsCode] = useState(kind === 'mfa');
  const providerName = providerLabels[provider] ?? provider;
  useDocumentTitle(kind === 'mfa' ? 'Two-step verification' : `Link ${providerName}`);

  const form = useForm(
    async (values) => {
      const code = values.otp?.replace(/\s/g, '');
      const body = kind === 'mfa' ? { code } : { password: values.password, ...(code && { otp: code }) };
      try {
        return await api.request<AuthGrant>('POST', `/api/auth/oauth/${kind}`, { body, csrf: true, noRetry: true });
      } catch (error) {
        if (kind === 'link' && !needsCode && (error as { code?: string }).code === 'mfa_required') {
          setNeedsCode(true);
          return null;
        }
        throw error;
      }
    },
    (grant) => {
      if (!grant) return;
      signedIn(grant);
      navigate('/', { replace: true });
    },
  );
  const expired = form.lastError?.code === 'oauth_state_mismatch';

  return (
    <AuthLayout
      title={kind === 'mfa' ? 'Two-step verification' : `Link ${providerName} to your account`}
      footer={<Link to="/signin">Start again</Link>}
    >
      <p className="muted">
        {kind === 'mfa'
          ? `${providerName} signed you in. Enter the 6-digit code from your authenticator app, or one of your recovery codes.`
          : `An account with your ${providerName} email address already exists. Enter its password once to link ${providerName} to it; later you can sign in with ${providerName} directly.`}
      </p>
      <form onSubmit={form.onSubmit} noValidate>
        <FormError error={expired ? 'That sign-in attempt expired. Please start again.' : form.error} />
        {kind === 'link' && (
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            autoFocus
            error={form.fields.password}
          />
        )}
        {needsCode && (
          <Field
            label="Authentication code"
            name="otp"
            inputMode="numeric"
            autoComplete="one-time-code"
            autoFocus={kind === 'mfa'}
            required
            error={form.fields.otp ?? form.fields.code}
          />
        )}
        <button type="submit" className="button block" disabled={form.busy}>
          {form.busy ? 'Verifying…' : kind === 'mfa' ? 'Verify' : `Link ${providerName}`}
        </button>
      </form>
    </AuthLayout>
  );
}
