import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { Field, FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';
import { Link, useLocation } from '../router.js';
import { AuthLayout } from './auth-layout.js';

export function ForgotPassword() {
  const api = useApi();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useForm(async (values) => {
    await api.credential('/api/auth/password/forgot', { email: values.email });
    return values.email ?? '';
  }, setSentTo);
  return (
    <AuthLayout title="Reset your password" footer={<Link to="/signin">Back to sign in</Link>}>
      {sentTo ? (
        <p role="status">If an account exists for {sentTo}, we have sent a link to reset its password.</p>
      ) : (
        <form onSubmit={form.onSubmit} noValidate>
          <FormError error={form.error} />
          <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus error={form.fields.email} />
          <button type="submit" className="button block" disabled={form.busy}>
            Send reset link
          </button>
        </form>
      )}
    </AuthLayout>
  );
}

export function ResetPassword() {
  const api = useApi();
  const { query } = useLocation();
  const token = query.get('token') ?? '';
  const [done, setDone] = useState(false);
  const form = useForm(
    (values) => api.credential('/api/auth/password/reset', { token, password: values.password }),
    () => setDone(true),
  );
  return (
    <AuthLayout title="Choose a new password" footer={<Link to="/signin">Back to sign in</Link>}>
      {done ? (
        <p role="status">
          Your password has been changed and every session signed out. <Link to="/signin">Sign in</Link> with the new one.
        </p>
      ) : !token ? (
        <p className="form-error">This link is incomplete. Open the link from the email again.</p>
      ) : (
        <form onSubmit={form.onSubmit} noValidate>
          <FormError error={form.error} />
          <Field
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            autoFocus
            hint="At least 10 characters."
            error={form.fields.password}
          />
          <button type="submit" className="button block" disabled={form.busy}>
            Change password
          </button>
        </form>
      )}
    </AuthLayout>
  );
}
