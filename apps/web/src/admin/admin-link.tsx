import { useResource } from '../api/use-resource.js';
import { Link, useLocation } from '../router.js';

/** "Admin" in the user menu for platform admins only (everyone else gets 404 from /api/admin/me and sees nothing). */
export function AdminLink() {
  const me = useResource<{ isAdmin: boolean }>('/api/admin/me');
  const { pathname } = useLocation();
  if (!me.data?.isAdmin) return null;
  return (
    <Link to="/admin" className="button secondary small" aria-current={pathname.startsWith('/admin') ? 'page' : undefined}>
      Admin
    </Link>
  );
}
