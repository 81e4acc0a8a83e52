import { useAuth } from '../auth/auth-context.js';
import { Link, useLocation } from '../router.js';

/** "Admin" in the user menu for platform admins only (the console itself still asks /api/admin, 404 to everyone else). */
export function AdminLink() {
  const { user } = useAuth();
  const { pathname } = useLocation();
  if (!user?.isAdmin) return null;
  return (
    <Link to="/admin" className="button secondary small" aria-current={pathname.startsWith('/admin') ? 'page' : undefined}>
      Admin
    </Link>
  );
}
