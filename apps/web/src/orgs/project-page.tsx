import type { Page, Project } from '@flux/shared';
import { useEffect } from 'react';
import { useApi } from '../api/api-context.js';
import { invalidate, useResource } from '../api/use-resource.js';
import { Field, FormError } from '../components/field.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { useForm } from '../components/use-form.js';
import type { Conversation } from '../conversations/types.js';
import { useMessaging } from '../conversations/messaging-context.js';
import type { DocumentInfo } from '../documents/types.js';
import { Link, navigate, routeParam } from '../router.js';
import { ErrorPage } from './organization-page.js';
import { ProjectSettings } from './project-settings.js';
import { useWorkspace } from './workspace-context.js';
import { EmptyState } from '../components/empty-state.js';
import { PageSkeleton } from '../components/skeleton.js';

export default function ProjectPage({ params }: { params: Record<string, string> }) {
  const projectId = routeParam(params, 'projectId');
  const api = useApi();
  const { organizations, setCurrentProjectId } = useWorkspace();
  useEffect(() => {
    setCurrentProjectId(projectId);
  }, [projectId, setCurrentProjectId]);
  const { reloadConversations } = useMessaging();
  const project = useResource<Project>(`/api/projects/${projectId}`);
  const documents = useResource<Page<DocumentInfo>>(`/api/documents?projectId=${projectId}`);
  const role = organizations.find((o) => o.id === project.data?.organizationId)?.role;
  useDocumentTitle(project.data?.name);

  const form = useForm(
    (values) => api.post<DocumentInfo>('/api/documents', { projectId, title: values.title }),
    (doc) => {
      invalidate('/api/documents');
      navigate(`/documents/${doc.id}`);
    },
  );

  const openChat = async () => {
    const conversation = await api.post<Conversation>('/api/conversations', { type: 'project', projectId, name: project.data?.name });
    reloadConversations();
    navigate(`/conversations/${conversation.id}`);
  };

  if (project.error)
    return (
      <ErrorPage message={project.error.status === 404 ? 'This project does not exist or you have no access.' : project.error.message} />
    );
  if (!project.data) return <PageSkeleton />;

  return (
    <section className="page">
      <header className="page-head">
        <div>
          <h1>{project.data.name}</h1>
          <p className="muted">{role === 'guest' ? 'You can view this project (guest).' : 'Documents and discussion for this project.'}</p>
        </div>
        <div className="actions">
          {(role === 'owner' || role === 'admin') && <ProjectSettings project={project.data} />}
          {role && role !== 'guest' && (
            <Link to={`/projects/${projectId}/trash`} className="button secondary small">
              Trash
            </Link>
          )}
          <button type="button" className="button secondary" onClick={openChat}>
            Project chat
          </button>
        </div>
      </header>
      {project.data.archivedAt && (
        <p className="banner info" role="status">
          This project is archived: it is hidden from the sidebar. Its documents and chat are still here.
        </p>
      )}

      <section aria-labelledby="documents-heading" className="card">
        <h2 id="documents-heading">Documents</h2>
        {documents.error && <p className="form-error">{documents.error.message}</p>}
        <ul className="list documents">
          {(documents.data?.items ?? []).map((d) => (
            <li key={d.id}>
              <Link to={`/documents/${d.id}`}>{d.title}</Link>
              <span className="muted small"> · updated {formatDate(d.updatedAt ?? d.createdAt)}</span>
            </li>
          ))}
          {documents.data?.items.length === 0 && (
            <li>
              <EmptyState title="No documents yet">
                {role && role !== 'guest'
                  ? 'Write the first brief: give it a title below and press Create document.'
                  : 'Documents shared in this project will show here.'}
              </EmptyState>
            </li>
          )}
        </ul>
        {role && role !== 'guest' && (
          <form onSubmit={form.onSubmit} noValidate className="inline-form">
            <FormError error={form.error} />
            <Field label="New document title" name="title" required error={form.fields.title} />
            <button type="submit" className="button" disabled={form.busy}>
              Create document
            </button>
          </form>
        )}
      </section>
    </section>
  );
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : date.toLocaleDateString();
}
