import { useApi } from '../api/api-context.js';
import type { AuthGrant } from '../api/client.js';
import { Field, FormError } from '../components/field.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { useForm } from '../components/use-form.js';
import { Link, navigate, useLocation } from '../router.js';
import { AuthLayout } from './auth-layout.js';
import { useAuth } from './auth-context.js';
import { OAuthButtons } from './oauth-buttons.js';
import { safeNext } from './sign-in.js';

export default function SignUp() {
  const api = useApi();
  const { signedIn } = useAuth();
  const next = useLocation().query.get('next');
  useDocumentTitle('Create your account');
  const form = useForm(
    (values) => api.credential<AuthGrant>('/api/auth/signup', { name: values.name, email: values.email, password: values.password }),
    (grant) => {
      signedIn(grant);
      navigate(safeNext(next), { replace: true });
    },
  );
  return (
    <AuthLayout
      title="Create your account"
      footer={
        <>
          Already have an account? <Link to={next ? `/signin?next=${encodeURIComponent(next)}` : '/signin'}>Sign in</Link>
        </>
      }
    >
      <form onSubmit={form.onSubmit} noValidate>
        <FormError error={form.error} />
        <Field label="Name" name="name" autoComplete="name" required autoFocus error={form.fields.name} />
        <Field label="Email" name="email" type="email" autoComplete="email" required error={form.fields.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters; avoid common words."
          error={form.fields.password}
        />
        <button type="submit" className="button block" disabled={form.busy}>
          {form.busy ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <OAuthButtons />
    </AuthLayout>
  );
}
