import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { Field, FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';

export const needsReauth = (error: unknown): boolean => error instanceof ApiError && error.code === 'reauth_required';

/**
 * "Confirm it's you" before a sensitive change (two-step verification, the password): the password, and
 * the current code once the server says two-step verification is on. It counts for five minutes.
 */
export function ReauthForm({ onConfirmed, onCancel }: { onConfirmed: () => void; onCancel: () => void }) {
  const api = useApi();
  const [needsCode, setNeedsCode] = useState(false);
  const form = useForm(
    async (values) => {
      try {
        return await api.post('/api/auth/reauth', { password: values.password, otp: values.otp?.replace(/\s/g, '') || undefined });
      } catch (error) {
        if (error instanceof ApiError && error.code === 'mfa_required') setNeedsCode(true);
        throw error;
      }
    },
    () => onConfirmed(),
  );
  return (
    <form onSubmit={form.onSubmit} noValidate aria-labelledby="reauth-heading">
      <h3 id="reauth-heading">Confirm it’s you</h3>
      <p className="muted small">Enter your current password to continue.</p>
      <FormError error={form.error} />
      <Field label="Current password" name="password" type="password" autoComplete="current-password" required autoFocus />
      {needsCode && <Field label="Authentication code" name="otp" inputMode="numeric" autoComplete="one-time-code" required />}
      <button type="submit" className="button" disabled={form.busy}>
        Confirm
      </button>{' '}
      <button type="button" className="button secondary" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
