import { AdminLink } from '../admin/admin-link.js';
import type { Person } from '@flux/shared';
import { useResource } from '../api/use-resource.js';
import { useAuth } from '../auth/auth-context.js';
import { Avatar } from '../people/avatar.js';
import { Link, navigate } from '../router.js';

export function UserMenu() {
  const { user, signOut } = useAuth();
  // My picture (a new upload invalidates /api/users/, see the account page).
  const me = useResource<Person>(user ? `/api/users/${user.id}` : null);
  return (
    <div className="user-menu">
      {/* Named by its content (no aria-label), so the visible name is part of it on every screen size. */}
      <Link to="/account" className="avatar-link">
        <span className="visually-hidden">Account settings · </span>
        <Avatar name={user?.name ?? '?'} avatarUrl={me.data?.avatarUrl ?? null} />
        <span className="user-name">{user?.name}</span>
      </Link>
      <AdminLink />
      <button
        type="button"
        className="button secondary small"
        onClick={async () => {
          await signOut();
          navigate('/signin', { replace: true });
        }}
      >
        Sign out
      </button>
    </div>
  );
}

export { initials } from '../people/avatar.js';
