import { AdminLink } from '../admin/admin-link.js';
import { useAuth } from '../auth/auth-context.js';
import { Link, navigate } from '../router.js';

export function UserMenu() {
  const { user, signOut } = useAuth();
  return (
    <div className="user-menu">
      {/* Named by its content (no aria-label), so the visible name is part of it on every screen size. */}
      <Link to="/account" className="avatar-link">
        <span className="visually-hidden">Account settings · </span>
        <span className="avatar" aria-hidden="true">
          {initials(user?.name ?? '?')}
        </span>
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

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase() || '?';
}
