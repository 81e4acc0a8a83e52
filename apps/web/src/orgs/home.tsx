import { useEffect } from 'react';
import { navigate } from '../router.js';
import { useWorkspace } from './workspace-context.js';
import { CreateOrganizationForm } from './new-organization.js';
import { PageSkeleton } from '../components/skeleton.js';

/** The start page: the current organization, or a first-run prompt to create one. */
export default function Home() {
  const { organization, loading } = useWorkspace();
  useEffect(() => {
    if (organization) navigate(`/orgs/${organization.id}`, { replace: true });
  }, [organization]);
  if (loading || organization) return <PageSkeleton />;
  return (
    <section className="page narrow">
      <h1>Welcome to FluxStudio</h1>
      <p className="muted">Create an organization for your studio; then add projects, invite people and start working together.</p>
      <CreateOrganizationForm />
    </section>
  );
}
