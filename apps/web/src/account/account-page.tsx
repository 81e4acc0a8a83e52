import { useAuth } from '../auth/auth-context.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { EmailSection } from './email-section.js';
import { DataSection } from './data-section.js';
import { MfaSection } from './mfa-section.js';
import { NotificationsSection } from './notifications-section.js';
import { PasswordSection } from './password-section.js';
import { ProfileSection } from './profile-section.js';
import { SecurityEvents } from './security-events.js';
import { SessionsSection } from './sessions-section.js';

export default function AccountPage() {
  const { user } = useAuth();
  useDocumentTitle('Account');
  if (!user) return null;
  return (
    <section className="page">
      <h1>Account</h1>
      <div className="grid-2">
        <ProfileSection />
        <MfaSection />
      </div>
      <PasswordSection />
      <EmailSection />
      <SessionsSection />
      <NotificationsSection />
      <SecurityEvents />
      <DataSection />
    </section>
  );
}
