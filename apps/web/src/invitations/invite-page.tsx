import type { Organization } from '@flux/shared';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { invalidate } from '../api/use-resource.js';
import { useUser } from '../auth/auth-context.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { Link, navigate, useLocation } from '../router.js';

/**
 * `/invite?token=…`, the invitation mail's link. Behind the sign-in gate, so a signed-out person
 * signs in or signs up first and comes back here. Joining takes a click: opening a link alone
 * never puts anyone into an organization.
 */
export default function InvitePage() {
  const api = useApi();
  const user = useUser();
  const token = useLocation().query.get('token');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useDocumentTitle('Invitation');

  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      const organization = await api.post<Organization>('/api/invitations/accept', { token });
      invalidate('/api/organizations');
      invalidate('/api/invitations');
      navigate(`/orgs/${organization.id}`, { replace: true });
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'That did not work. Please try again.');
      setBusy(false);
    }
  };

  return (
    <section className="page narrow">
      <h1>Join an organization</h1>
      {token ? (
        <>
          <p>
            You were invited to an organization on FluxStudio. You are signed in as <strong>{user.email}</strong>; accepting adds this
            account to it.
          </p>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" className="button" onClick={accept} disabled={busy}>
              {busy ? 'Joining…' : 'Accept invitation'}
            </button>
            <Link to="/" className="button link">
              Not now
            </Link>
          </div>
        </>
      ) : (
        <p className="form-error">This link is incomplete. Open the link from the invitation email again.</p>
      )}
    </section>
  );
}
