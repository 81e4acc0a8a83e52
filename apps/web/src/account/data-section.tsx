import type { AccountDeletion } from '@flux/shared';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { useAuth } from '../auth/auth-context.js';
import { FormError } from '../components/field.js';
import { navigate } from '../router.js';
import { needsReauth, ReauthForm } from './reauth-form.js';

/** Saves a blob under a file name (the archive arrives through fetch, with the bearer token). */
function download(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Export my data (one zip) and delete my account; both ask for the password again. */
export function DataSection() {
  const api = useApi();
  const { signOut } = useAuth();
  const [pending, setPending] = useState<'export' | 'delete' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exported, setExported] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const run = async (action: 'export' | 'delete') => {
    setError(null);
    setBusy(true);
    try {
      if (action === 'export') {
        const blob = await api.blob('/api/auth/export');
        download(blob, `fluxstudio-export-${new Date().toISOString().slice(0, 10)}.zip`);
        setExported(true);
      } else {
        const { deletionScheduledFor } = await api.delete<AccountDeletion>('/api/auth/me');
        // Every session has ended on the server: forget this one and say when the data goes.
        await signOut();
        navigate(`/signin?deleted=${encodeURIComponent(deletionScheduledFor)}`, { replace: true });
      }
    } catch (caught) {
      if (needsReauth(caught)) setPending(action);
      else setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card danger-zone" aria-labelledby="data-heading">
      <h2 id="data-heading">Your data</h2>
      {pending ? (
        <ReauthForm
          onConfirmed={() => {
            const action = pending;
            setPending(null);
            void run(action);
          }}
          onCancel={() => setPending(null)}
        />
      ) : (
        <>
          <FormError error={error} />
          <p className="muted small">One zip with your profile, your messages, the documents you created and the files you uploaded.</p>
          {exported && <p role="status">Your export was downloaded.</p>}
          <button type="button" className="button secondary" disabled={busy} onClick={() => run('export')}>
            Export my data
          </button>
          <h3>Delete account</h3>
          <p className="muted small">
            You are signed out everywhere at once. Your account can be recovered by signing in within 30 days; after that your name, email,
            picture and sign-in methods are erased for good, and your messages show as from “Deleted user”.
          </p>
          <label className="checkbox">
            <input type="checkbox" checked={confirmDelete} onChange={(e) => setConfirmDelete(e.target.checked)} /> I understand, delete my
            account
          </label>{' '}
          <button type="button" className="button danger" disabled={busy || !confirmDelete} onClick={() => run('delete')}>
            Delete my account
          </button>
        </>
      )}
    </section>
  );
}
