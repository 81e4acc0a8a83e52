import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { Field, FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';
import { needsReauth, ReauthForm } from './reauth-form.js';

/** A new email (after confirming the password): it takes effect when the link mailed to it is opened. */
export function EmailSection() {
  const api = useApi();
  const [sentTo, setSentTo] = useState<string | null>(null);
  // The new address waits here while the password is confirmed, then is sent again.
  const [pending, setPending] = useState<string | null>(null);
  const send = (email: string) => api.post('/api/auth/email', { email });
  const change = useForm(
    async (values) => {
      setSentTo(null);
      const email = values.email?.trim() ?? '';
      try {
        await send(email);
        return email;
      } catch (error) {
        if (needsReauth(error)) setPending(email);
        throw error;
      }
    },
    (email) => setSentTo(email),
    { resetOnSuccess: true },
  );

  return (
    <section className="card" aria-labelledby="email-heading">
      <h2 id="email-heading">Email</h2>
      {pending !== null ? (
        <ReauthForm
          onConfirmed={() => {
            const email = pending;
            setPending(null);
            send(email).then(
              () => setSentTo(email),
              (error: Error) => change.setError(error.message),
            );
          }}
          onCancel={() => setPending(null)}
        />
      ) : (
        <form onSubmit={change.onSubmit} noValidate>
          {sentTo && (
            <p role="status">We sent a link to {sentTo}. Your email changes when you open it; your current address was told too.</p>
          )}
          <FormError error={change.error} />
          <Field label="New email" name="email" type="email" autoComplete="email" required error={change.fields.email} />
          <button type="submit" className="button secondary" disabled={change.busy}>
            Change email
          </button>
        </form>
      )}
    </section>
  );
}
