import { lazy, Suspense, useEffect, type ComponentType, type LazyExoticComponent } from 'react';
import { useAuth } from './auth/auth-context.js';
import { ScreenBoundary } from './components/screen-boundary.js';
import { PageSkeleton } from './components/skeleton.js';
import { AppShell } from './layout/app-shell.js';
import { matchPath, navigate, useLocation } from './router.js';

// Every screen is its own chunk; the initial bundle carries only the router, API client and shell.
const SignIn = lazy(() => import('./auth/sign-in.js'));
const SignUp = lazy(() => import('./auth/sign-up.js'));
const ForgotPassword = lazy(() => import('./auth/password-reset.js').then((m) => ({ default: m.ForgotPassword })));
const ResetPassword = lazy(() => import('./auth/password-reset.js').then((m) => ({ default: m.ResetPassword })));
const VerifyEmail = lazy(() => import('./auth/verify-email.js'));
const Home = lazy(() => import('./orgs/home.js'));
const NewOrganization = lazy(() => import('./orgs/new-organization.js'));
const OrganizationPage = lazy(() => import('./orgs/organization-page.js'));
const ProjectPage = lazy(() => import('./orgs/project-page.js'));
const ConversationsPage = lazy(() => import('./conversations/conversations-page.js'));
const DocumentPage = lazy(() => import('./documents/document-page.js'));
const AccountPage = lazy(() => import('./account/account-page.js'));
const PeoplePage = lazy(() => import('./people/people-page.js'));
const InvitePage = lazy(() => import('./invitations/invite-page.js'));
const TrashPage = lazy(() => import('./documents/trash-page.js'));
const AdminPage = lazy(() => import('./admin/admin-page.js'));

type Screen = LazyExoticComponent<ComponentType<{ params: Record<string, string> }>> | LazyExoticComponent<ComponentType>;

/** Reachable without a session; a signed-in person is sent onwards from sign-in and sign-up. */
const publicRoutes: Array<[string, Screen, { guestOnly?: boolean }]> = [
  ['/signin', SignIn, { guestOnly: true }],
  ['/signup', SignUp, { guestOnly: true }],
  ['/forgot-password', ForgotPassword, {}],
  ['/reset-password', ResetPassword, {}],
  ['/verify-email', VerifyEmail, {}],
];

const privateRoutes: Array<[string, Screen]> = [
  ['/', Home],
  ['/orgs/new', NewOrganization],
  ['/orgs/:orgId', OrganizationPage],
  ['/projects/:projectId', ProjectPage],
  ['/conversations', ConversationsPage],
  ['/conversations/:conversationId', ConversationsPage],
  ['/documents/:documentId', DocumentPage],
  ['/account', AccountPage],
  ['/people', PeoplePage],
  ['/people/:userId', PeoplePage],
  ['/invite', InvitePage],
  ['/projects/:projectId/trash', TrashPage],
  ['/admin', AdminPage],
  ['/admin/:section', AdminPage],
];

function find<T extends [string, Screen, ...unknown[]]>(routes: T[], pathname: string) {
  for (const route of routes) {
    const params = matchPath(route[0], pathname);
    if (params) return { route, params };
  }
  return null;
}

export function App() {
  const { status, retry } = useAuth();
  const { pathname, query } = useLocation();
  const publicMatch = find(publicRoutes, pathname);
  const privateMatch = find(privateRoutes, pathname);

  useEffect(() => {
    if (status === 'signed-out' && !publicMatch) {
      // The query goes along: an invitation link's token must survive signing in (or up).
      const search = query.toString();
      const next = pathname === '/' ? '' : `?next=${encodeURIComponent(search ? `${pathname}?${search}` : pathname)}`;
      navigate(`/signin${next}`, { replace: true });
    }
    if (status === 'signed-in' && publicMatch?.route[2].guestOnly) {
      const next = query.get('next');
      navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    }
  }, [status, publicMatch, pathname, query]);

  if (status === 'loading') return <Splash />;
  if (status === 'unreachable') return <Unreachable onRetry={retry} />;

  if (publicMatch) {
    const Screen = publicMatch.route[1] as ComponentType<{ params: Record<string, string> }>;
    return (
      <ScreenBoundary resetKey={pathname}>
        <Suspense fallback={<Splash />}>
          <Screen params={publicMatch.params} />
        </Suspense>
      </ScreenBoundary>
    );
  }
  if (status !== 'signed-in') return <Splash />;

  const Screen = privateMatch?.route[1] as ComponentType<{ params: Record<string, string> }> | undefined;
  return (
    <AppShell>
      <ScreenBoundary resetKey={pathname}>
        <Suspense fallback={<PageSkeleton />}>{Screen && privateMatch ? <Screen params={privateMatch.params} /> : <NotFound />}</Suspense>
      </ScreenBoundary>
    </AppShell>
  );
}

function Splash() {
  return (
    <div className="splash" role="status" aria-label="Loading">
      <span className="brand-mark">F</span>
    </div>
  );
}

function Unreachable({ onRetry }: { onRetry: () => void }) {
  useEffect(() => {
    // Try again by itself as soon as the browser is back online.
    window.addEventListener('online', onRetry);
    return () => window.removeEventListener('online', onRetry);
  }, [onRetry]);
  return (
    <main className="auth-page">
      <div className="auth-card" role="alert">
        <h1>Cannot reach FluxStudio</h1>
        <p className="muted">Check your connection. Your session is kept; nothing was lost.</p>
        <button type="button" className="button block" onClick={onRetry}>
          Try again
        </button>
      </div>
    </main>
  );
}

function NotFound() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p className="muted">This address does not lead anywhere in FluxStudio.</p>
    </section>
  );
}
