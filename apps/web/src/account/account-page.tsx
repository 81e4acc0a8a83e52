import { useAuth } from '../auth/auth-context.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { EmailSection } from './email-section.js';
import { MfaSection } from './mfa-section.js';
import { PasswordSection } from './password-section.js';
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
        <section className="card" aria-labelledby="profile-heading">
          <h2 id="profile-heading">Profile</h2>
          <dl className="profile">
            <dt>Name</dt>
            <dd>{user.name}</dd>
            <dt>Email</dt>
            <dd>
              {user.email}{' '}
              {user.emailVerified ? <span className="pill ok">verified</span> : <span className="pill warn">not verified</span>}
            </dd>
            <dt>Member since</dt>
            <dd>{new Date(user.createdAt).toLocaleDateString()}</dd>
          </dl>
        </section>
        <MfaSection />
      </div>
      <PasswordSection />
      <EmailSection />
      <SessionsSection />
      <SecurityEvents />
    </section>
  );
}
