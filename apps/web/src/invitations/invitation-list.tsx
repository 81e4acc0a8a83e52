import type { Invitation, Page } from '@flux/shared';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { useResource } from '../api/use-resource.js';

/** An organization's pending invitations, for its owners and admins: resend (a new link) or revoke. */
export function InvitationList({ orgId }: { orgId: string }) {
  const api = useApi();
  const invitations = useResource<Page<Invitation>>(`/api/organizations/${orgId}/invitations?limit=100`);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const items = invitations.data?.items ?? [];

  const run = async (action: () => Promise<unknown>, done: string) => {
    setMessage(null);
    try {
      await action();
      setMessage({ error: false, text: done });
    } catch (caught) {
      setMessage({ error: true, text: caught instanceof ApiError ? caught.message : 'That did not work.' });
    }
    invitations.reload();
  };

  if (invitations.error) return <p className="form-error">{invitations.error.message}</p>;
  if (items.length === 0 && !message) return null;
  return (
    <>
      <h3>Pending invitations</h3>
      <ul className="list" aria-label="Pending invitations">
        {items.map((invitation) => {
          const expired = Date.parse(invitation.expiresAt) < Date.now();
          return (
            <li key={invitation.id} className="member">
              <span className="member-name">
                {invitation.email}
                <span className="muted small">
                  {' '}
                  {invitation.role} · {expired ? 'expired' : `expires ${new Date(invitation.expiresAt).toLocaleDateString()}`}
                </span>
              </span>
              <button
                type="button"
                className="button link small"
                aria-label={`Resend the invitation to ${invitation.email}`}
                onClick={() =>
                  run(
                    () => api.post(`/api/organizations/${orgId}/invitations/${invitation.id}/resend`),
                    `A new link was sent to ${invitation.email}.`,
                  )
                }
              >
                Resend
              </button>
              <button
                type="button"
                className="button link small danger"
                aria-label={`Revoke the invitation to ${invitation.email}`}
                onClick={() =>
                  window.confirm(`Revoke the invitation to ${invitation.email}? Its link stops working.`) &&
                  run(
                    () => api.delete(`/api/organizations/${orgId}/invitations/${invitation.id}`),
                    `The invitation to ${invitation.email} was revoked.`,
                  )
                }
              >
                Revoke
              </button>
            </li>
          );
        })}
      </ul>
      {message && (
        <p role={message.error ? 'alert' : 'status'} className={message.error ? 'form-error' : 'notice'}>
          {message.text}
        </p>
      )}
    </>
  );
}
