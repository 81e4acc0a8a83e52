import type { PublicUser } from '@flux/shared';
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { invalidate } from '../api/use-resource.js';
import { Link, useLocation } from '../router.js';
import { useAuth } from './auth-context.js';
import { AuthLayout } from './auth-layout.js';

export default function VerifyEmail() {
  const api = useApi();
  const { user, setUser } = useAuth();
  const { query } = useLocation();
  const token = query.get('token');
  const [state, setState] = useState<{ ok: boolean; message: string } | null>(null);

  useEffect(() => {
    if (!token) return;
    api
      .credential<{ user: PublicUser }>('/api/auth/email/verify', { token })
      .then((answer) => {
        setState({ ok: true, message: 'Your email address is verified.' });
        if (answer?.user) setVerifiedUser(answer.user);
        // A verified address may accept its pending invitations without the mailed link.
        invalidate('/api/invitations');
      })
      .catch((error: unknown) => setState({ ok: false, message: error instanceof ApiError ? error.message : 'This link did not work.' }));
  }, [api, token]);

  // Only the signed-in person's own record is updated (the link may be opened while signed out).
  const [verifiedUser, setVerifiedUser] = useState<PublicUser | null>(null);
  useEffect(() => {
    // Also after an email change (account page): the new address shows without a reload.
    if (verifiedUser && user?.id === verifiedUser.id && (!user.emailVerified || user.email !== verifiedUser.email)) setUser(verifiedUser);
  }, [verifiedUser, user, setUser]);

  return (
    <AuthLayout title="Verify your email" footer={<Link to="/">Continue to FluxStudio</Link>}>
      {!token && <p className="form-error">This link is incomplete. Open the link from the email again.</p>}
      {token && !state && <p role="status">Verifying…</p>}
      {state && (
        <p role={state.ok ? 'status' : 'alert'} className={state.ok ? '' : 'form-error'}>
          {state.message}
        </p>
      )}
    </AuthLayout>
  );
}
