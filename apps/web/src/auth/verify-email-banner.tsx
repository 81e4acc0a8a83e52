import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { useAuth } from './auth-context.js';

/** Stays until the address is verified; can send the link again. */
export function VerifyEmailBanner() {
  const api = useApi();
  const { user } = useAuth();
  const [state, setState] = useState<'idle' | 'sending' | 'sent' | string>('idle');
  if (!user || user.emailVerified) return null;
  const resend = async () => {
    setState('sending');
    try {
      await api.post('/api/auth/email/verify/resend');
      setState('sent');
    } catch (error) {
      setState(error instanceof ApiError ? error.message : 'Could not send the email.');
    }
  };
  return (
    <div className="banner info" role="status">
      Please verify your email address: we sent a link to <strong>{user.email}</strong>.{' '}
      {state === 'sent' ? (
        <span>Sent — check your inbox.</span>
      ) : (
        <button type="button" className="button link small" onClick={resend} disabled={state === 'sending'}>
          Send it again
        </button>
      )}
      {state !== 'idle' && state !== 'sent' && state !== 'sending' && <span className="field-error"> {state}</span>}
    </div>
  );
}
