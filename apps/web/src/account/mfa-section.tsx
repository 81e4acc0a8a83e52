import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { Field, FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';
import { needsReauth, ReauthForm } from './reauth-form.js';

interface Setup {
  secret: string;
  otpauthUrl: string;
  qrCodeDataUrl?: string;
}

type Step =
  | { name: 'idle' }
  | { name: 'setup'; setup: Setup }
  | { name: 'enabled'; recoveryCodes: string[] }
  | { name: 'disabled' }
  | { name: 'on' };

/** TOTP: scan the QR code, confirm with a code, keep the recovery codes; or turn it off with a code. */
export function MfaSection() {
  const api = useApi();
  const [step, setStep] = useState<Step>({ name: 'idle' });
  const [startError, setStartError] = useState<string | null>(null);
  // Changing two-step verification needs the password again (within five minutes): when the server
  // asks, the confirmation form shows, then the interrupted action runs again (or the user resubmits).
  const [reauth, setReauth] = useState<{ retry?: () => void } | null>(null);

  const start = async () => {
    setStartError(null);
    try {
      setStep({ name: 'setup', setup: await api.post<Setup>('/api/auth/mfa/totp/setup') });
    } catch (error) {
      if (needsReauth(error)) setReauth({ retry: () => void start() });
      else if ((error as { code?: string }).code === 'mfa_already_enabled') setStep({ name: 'on' });
      else setStartError((error as Error).message);
    }
  };

  /** A form submission that asks for the password first when the server wants a re-authentication. */
  const guarded =
    <T,>(call: (values: Record<string, string>) => Promise<T>) =>
    async (values: Record<string, string>): Promise<T> => {
      try {
        return await call(values);
      } catch (error) {
        if (needsReauth(error)) setReauth({});
        throw error;
      }
    };
  const enable = useForm(
    guarded((values) => api.post<{ recoveryCodes: string[] }>('/api/auth/mfa/totp/enable', { code: values.code?.replace(/\s/g, '') })),
    (answer) => setStep({ name: 'enabled', recoveryCodes: answer.recoveryCodes }),
  );
  const disable = useForm(
    guarded((values) => api.post('/api/auth/mfa/totp/disable', { code: values.code?.replace(/\s/g, '') })),
    () => setStep({ name: 'disabled' }),
  );

  if (reauth)
    return (
      <section className="card" aria-labelledby="mfa-heading">
        <h2 id="mfa-heading">Two-step verification</h2>
        <ReauthForm
          onConfirmed={() => {
            setReauth(null);
            reauth.retry?.();
          }}
          onCancel={() => setReauth(null)}
        />
      </section>
    );

  return (
    <section className="card" aria-labelledby="mfa-heading">
      <h2 id="mfa-heading">Two-step verification</h2>
      {step.name === 'idle' && (
        <>
          <p className="muted">Ask for a code from an authenticator app each time you sign in.</p>
          <FormError error={startError} />
          <button type="button" className="button" onClick={start}>
            Set up authenticator app
          </button>
          <details className="disable-mfa">
            <summary>Turn two-step verification off</summary>
            <form onSubmit={disable.onSubmit} noValidate>
              <FormError error={disable.error} />
              <Field
                label="Current code"
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                error={disable.fields.code}
              />
              <button type="submit" className="button secondary small" disabled={disable.busy}>
                Turn off
              </button>
            </form>
          </details>
        </>
      )}
      {step.name === 'setup' && (
        <>
          <p>Scan this code with your authenticator app, then enter the 6-digit code it shows.</p>
          {step.setup.qrCodeDataUrl && (
            <img className="qr" src={step.setup.qrCodeDataUrl} alt="QR code for your authenticator app" width={180} height={180} />
          )}
          <p className="small">
            Or enter this key by hand: <code data-testid="totp-secret">{step.setup.secret}</code>
          </p>
          <form onSubmit={enable.onSubmit} noValidate>
            <FormError error={enable.error} />
            <Field
              label="Code from the app"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              autoFocus
              error={enable.fields.code}
            />
            <button type="submit" className="button" disabled={enable.busy}>
              Turn on
            </button>
          </form>
        </>
      )}
      {step.name === 'enabled' && (
        <>
          <p role="status">
            <strong>Two-step verification is on.</strong> Keep these recovery codes somewhere safe; each works once if you lose your phone.
          </p>
          <ul className="recovery-codes" aria-label="Recovery codes">
            {step.recoveryCodes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {step.name === 'disabled' && <p role="status">Two-step verification is off.</p>}
      {step.name === 'on' && (
        <>
          <p role="status">Two-step verification is already on for this account.</p>
          <form onSubmit={disable.onSubmit} noValidate>
            <FormError error={disable.error} />
            <Field
              label="Current code to turn it off"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              error={disable.fields.code}
            />
            <button type="submit" className="button secondary small" disabled={disable.busy}>
              Turn off
            </button>
          </form>
        </>
      )}
    </section>
  );
}
