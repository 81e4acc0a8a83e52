import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { Field, FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';
import { needsReauth, ReauthForm } from './reauth-form.js';

/** A new password (after confirming the current one); every other session is signed out. */
export function PasswordSection() {
  const api = useApi();
  const [done, setDone] = useState(false);
  // The new password waits here while the current one is confirmed, then is sent again.
  const [pending, setPending] = useState<string | null>(null);
  const send = (password: string) => api.post('/api/auth/password', { password });
  const change = useForm(
    async (values) => {
      setDone(false);
      try {
        return await send(values.password ?? '');
      } catch (error) {
        if (needsReauth(error)) setPending(values.password ?? '');
        throw error;
      }
    },
    () => setDone(true),
    { resetOnSuccess: true },
  );

  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      {pending !== null ? (
        <ReauthForm
          onConfirmed={() => {
            const password = pending;
            setPending(null);
            send(password).then(
              () => setDone(true),
              (error: Error) => change.setError(error.message),
            );
          }}
          onCancel={() => setPending(null)}
        />
      ) : (
        <form onSubmit={change.onSubmit} noValidate>
          {done && <p role="status">Password changed. Your other sessions were signed out.</p>}
          <FormError error={change.error} />
          <Field label="New password" name="password" type="password" autoComplete="new-password" required error={change.fields.password} />
          <button type="submit" className="button secondary" disabled={change.busy}>
            Change password
          </button>
        </form>
      )}
    </section>
  );
}
