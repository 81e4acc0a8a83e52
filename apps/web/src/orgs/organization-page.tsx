import type { InviteResult, Organization, Page, Project } from '@flux/shared';
import { useEffect, useId, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { invalidate, useResource } from '../api/use-resource.js';
import { Field, FormError } from '../components/field.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { useForm } from '../components/use-form.js';
import { Link, navigate, routeParam } from '../router.js';
import { InvitationList } from '../invitations/invitation-list.js';
import { MemberList, roles } from './member-list.js';
import { DeleteOrganization } from './delete-organization.js';
import { RenameOrganization } from './rename-organization.js';
import { useWorkspace } from './workspace-context.js';
import { EmptyState } from '../components/empty-state.js';
import { PageSkeleton } from '../components/skeleton.js';

export default function OrganizationPage({ params }: { params: Record<string, string> }) {
  const orgId = routeParam(params, 'orgId');
  const { selectOrganization } = useWorkspace();
  const org = useResource<Organization>(`/api/organizations/${orgId}`);
  const projects = useResource<Page<Project>>(`/api/projects?organizationId=${orgId}`);
  useEffect(() => selectOrganization(orgId), [orgId, selectOrganization]);
  useDocumentTitle(org.data?.name);

  if (org.error)
    return (
      <ErrorPage message={org.error.status === 404 ? 'This organization does not exist or you are not a member.' : org.error.message} />
    );
  if (!org.data) return <PageSkeleton />;
  const manager = org.data.role === 'owner' || org.data.role === 'admin';
  const active = (projects.data?.items ?? []).filter((p) => !p.archivedAt);
  const archived = (projects.data?.items ?? []).filter((p) => p.archivedAt);

  return (
    <section className="page">
      <header className="page-head">
        <div>
          <h1>{org.data.name}</h1>
          <p className="muted">
            /{org.data.slug} · you are {article(org.data.role)} <strong>{org.data.role}</strong>
          </p>
        </div>
        {manager && <RenameOrganization organization={org.data} />}
      </header>

      <div className="grid-2">
        <section aria-labelledby="projects-heading" className="card">
          <h2 id="projects-heading">Projects</h2>
          <ul className="list">
            {active.map((p) => (
              <li key={p.id}>
                <Link to={`/projects/${p.id}`}>{p.name}</Link>
              </li>
            ))}
            {projects.data && active.length === 0 && (
              <li>
                <EmptyState title="No projects yet">
                  {org.data.role === 'guest'
                    ? 'Projects you are given access to will show here.'
                    : 'A project holds its documents and its chat. Name the first one below and press Create project.'}
                </EmptyState>
              </li>
            )}
          </ul>
          {org.data.role !== 'guest' && <CreateProjectForm orgId={orgId} />}
          {archived.length > 0 && (
            <>
              <h3 id="archived-heading">Archived projects</h3>
              <ul className="list" aria-labelledby="archived-heading">
                {archived.map((p) => (
                  <li key={p.id}>
                    <Link to={`/projects/${p.id}`}>{p.name}</Link>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>

        <section aria-labelledby="members-heading" className="card">
          <h2 id="members-heading">Members</h2>
          <MemberList orgId={orgId} canManage={manager} />
          {manager && <InvitationList orgId={orgId} />}
          {manager && <InviteForm orgId={orgId} />}
        </section>
      </div>
      {org.data.role === 'owner' && <DeleteOrganization organization={org.data} />}
    </section>
  );
}

function CreateProjectForm({ orgId }: { orgId: string }) {
  const api = useApi();
  const form = useForm(
    (values) => api.post<Project>(`/api/organizations/${orgId}/projects`, { name: values.name }),
    (project) => {
      invalidate('/api/projects');
      navigate(`/projects/${project.id}`);
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="inline-form">
      <FormError error={form.error} />
      <Field label="New project name" name="name" required error={form.fields.name} />
      <button type="submit" className="button" disabled={form.busy}>
        Create project
      </button>
    </form>
  );
}

function InviteForm({ orgId }: { orgId: string }) {
  const api = useApi();
  const roleId = useId();
  const [notice, setNotice] = useState('');
  // Always an invitation (202 {status:'invited'}), whether or not the address has an account: the
  // person joins when they accept it, from the mailed link or (once verified) from their invitations.
  const form = useForm(
    async (values) => {
      await api.post<InviteResult>(`/api/organizations/${orgId}/members`, { email: values.email, role: values.role });
      return values.email ?? '';
    },
    (email) => {
      invalidate(`/api/organizations/${orgId}/invitations`);
      setNotice(`Invitation sent to ${email}. They join when they accept it.`);
    },
    { resetOnSuccess: true },
  );
  return (
    <form
      onSubmit={(e) => {
        setNotice('');
        void form.onSubmit(e);
      }}
      noValidate
      className="inline-form"
    >
      <h3>Invite someone</h3>
      <FormError error={form.error} />
      <Field label="Email" name="email" type="email" required error={form.fields.email} />
      <div className="field">
        <label htmlFor={roleId}>Role</label>
        <select id={roleId} name="role" defaultValue="member">
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button" disabled={form.busy}>
        Invite
      </button>
      <p role="status" className="notice">
        {notice}
      </p>
    </form>
  );
}

function article(role: string) {
  return /^[aeiou]/.test(role) ? 'an' : 'a';
}

export function ErrorPage({ message }: { message: string }) {
  return (
    <section className="page">
      <h1>Not available</h1>
      <p className="form-error">{message}</p>
    </section>
  );
}
