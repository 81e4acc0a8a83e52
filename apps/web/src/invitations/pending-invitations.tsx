import type { Organization, Page, PendingInvitation } from '@flux/shared';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { invalidate, useResource } from '../api/use-resource.js';
import { navigate } from '../router.js';

/**
 * The signed-in person's pending invitations, each with an Accept button. The server lists them
 * only once the email is verified; before that, the mailed link is the way in.
 */
export function PendingInvitations() {
  const api = useApi();
  const invitations = useResource<Page<PendingInvitation>>('/api/invitations');
  const [error, setError] = useState<string | null>(null);
  const items = invitations.data?.items ?? [];
  if (items.length === 0) return null;

  const accept = async (invitation: PendingInvitation) => {
    setError(null);
    try {
      const organization = await api.post<Organization>(`/api/invitations/${invitation.id}/accept`);
      invalidate('/api/organizations');
      invitations.reload();
      navigate(`/orgs/${organization.id}`);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'That did not work. Please try again.');
      invitations.reload();
    }
  };

  return (
    <section className="banner info" aria-label="Invitations">
      <ul className="list">
        {items.map((invitation) => (
          <li key={invitation.id}>
            {invitation.invitedBy ?? 'Someone'} invited you to join <strong>{invitation.organization.name}</strong> as {invitation.role}.{' '}
            <button type="button" className="button small" onClick={() => accept(invitation)}>
              Accept
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
