import type { ReactNode } from 'react';
import { VerifyEmailBanner } from '../auth/verify-email-banner.js';
import { PendingInvitations } from '../invitations/pending-invitations.js';
import { MessagingProvider } from '../conversations/messaging-context.js';
import { ConnectionBanner } from '../conversations/connection-banner.js';
import { NotificationsBell } from '../notifications/notifications-bell.js';
import { WorkspaceProvider } from '../orgs/workspace-context.js';
import { Link } from '../router.js';
import { Sidebar } from './sidebar.js';
import { UserMenu } from './user-menu.js';

export function AppShell({ children }: { children: ReactNode }) {
  return (
    <WorkspaceProvider>
      <MessagingProvider>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <div className="shell">
          <header className="topbar">
            <Link to="/" className="brand">
              <span className="brand-mark" aria-hidden="true">
                F
              </span>{' '}
              FluxStudio
            </Link>
            <div className="topbar-actions">
              <NotificationsBell />
              <UserMenu />
            </div>
          </header>
          <Sidebar />
          <main id="main" className="content" tabIndex={-1}>
            <ConnectionBanner />
            <VerifyEmailBanner />
            <PendingInvitations />
            {children}
          </main>
        </div>
      </MessagingProvider>
    </WorkspaceProvider>
  );
}
