import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { VerifyEmailBanner } from '../auth/verify-email-banner.js';
import { NavigationBoundary } from '../components/screen-boundary.js';
import { QuickSwitcher } from '../components/quick-switcher.js';
import { PendingInvitations } from '../invitations/pending-invitations.js';
import { MessagingProvider } from '../conversations/messaging-context.js';
import { ConnectionBanner } from '../conversations/connection-banner.js';
import { NotificationsBell } from '../notifications/notifications-bell.js';
import { WorkspaceProvider } from '../orgs/workspace-context.js';
import { Link, matchPath, useLocation } from '../router.js';
import { Sidebar } from './sidebar.js';
import { UserMenu } from './user-menu.js';

export function AppShell({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const [navOpen, setNavOpen] = useState(false);
  const [switcherOpen, setSwitcherOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const focusMenuOnClose = useRef(false);
  const closeNav = useCallback((returnFocus: boolean) => {
    focusMenuOnClose.current = returnFocus;
    setNavOpen(false);
  }, []);
  // Once the rest of the page is no longer inert, the focus goes back to where the drawer was opened.
  useEffect(() => {
    if (navOpen || !focusMenuOnClose.current) return;
    focusMenuOnClose.current = false;
    menuButton.current?.focus();
  }, [navOpen]);

  // On a phone the navigation is a drawer: a new screen closes it.
  // biome-ignore lint/correctness/useExhaustiveDependencies(pathname): closing on every change of address is the point
  useEffect(() => setNavOpen(false), [pathname]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setSwitcherOpen(true);
      } else if (event.key === 'Escape' && navOpen) closeNav(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navOpen, closeNav]);

  return (
    <WorkspaceProvider>
      <MessagingProvider>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <div className={`shell${navOpen ? ' nav-open' : ''}`}>
          {/* While the drawer is open on a phone, the page behind it takes no focus or clicks. */}
          <header className="topbar" inert={navOpen}>
            <div className="topbar-start">
              <button
                ref={menuButton}
                type="button"
                className="icon-button menu-button"
                aria-label="Open navigation"
                aria-expanded={navOpen}
                aria-controls="sidebar"
                onClick={() => setNavOpen(true)}
              >
                <MenuIcon />
              </button>
              {/* On a phone an open conversation fills the screen: this leads back to the list. */}
              {matchPath('/conversations/:conversationId', pathname) && (
                <Link to="/conversations" className="icon-button back-button" aria-label="All conversations">
                  <BackIcon />
                </Link>
              )}
              <Link to="/" className="brand">
                <span className="brand-mark" aria-hidden="true">
                  F
                </span>{' '}
                <span className="brand-name">FluxStudio</span>
              </Link>
            </div>
            <button type="button" className="switcher-button" aria-keyshortcuts="Control+K Meta+K" onClick={() => setSwitcherOpen(true)}>
              <SearchIcon />
              <span className="switcher-button-text">Go to…</span>
              <kbd>Ctrl K</kbd>
            </button>
            <div className="topbar-actions">
              <NotificationsBell />
              <UserMenu />
            </div>
          </header>
          <NavigationBoundary>
            <Sidebar onClose={() => closeNav(true)} autoFocus={navOpen} />
          </NavigationBoundary>
          {/* A mouse shortcut: the drawer's Close button and Escape are the keyboard's ways. */}
          <div className="drawer-backdrop" aria-hidden="true" onClick={() => closeNav(false)} />
          <main id="main" className="content" tabIndex={-1} inert={navOpen}>
            <ConnectionBanner />
            <VerifyEmailBanner />
            <PendingInvitations />
            {children}
          </main>
        </div>
        {switcherOpen && <QuickSwitcher onClose={() => setSwitcherOpen(false)} />}
      </MessagingProvider>
    </WorkspaceProvider>
  );
}

function MenuIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
      <path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}

function BackIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
      <path d="M12.5 4 6.5 10l6 6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

function SearchIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      <circle cx="7" cy="7" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M10.5 10.5 14 14" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  );
}
