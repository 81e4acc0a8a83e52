import type { Page, Project, TrashedDocument } from '@flux/shared';
import { useEffect } from 'react';
import { useApi } from '../api/api-context.js';
import { invalidate, useResource } from '../api/use-resource.js';
import { EmptyState } from '../components/empty-state.js';
import { FormError } from '../components/field.js';
import { PageSkeleton } from '../components/skeleton.js';
import { useAction } from '../components/use-action.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { ErrorPage } from '../orgs/organization-page.js';
import { formatDate } from '../orgs/project-page.js';
import { useWorkspace } from '../orgs/workspace-context.js';
import { Link, navigate, routeParam } from '../router.js';

const daysLeft = (purgeAt: string) => Math.max(0, Math.ceil((Date.parse(purgeAt) - Date.now()) / 86_400_000));

/** A project's trash: documents deleted in the last 30 days, restorable by its writers; older ones are purged. */
export default function TrashPage({ params }: { params: Record<string, string> }) {
  const projectId = routeParam(params, 'projectId');
  const api = useApi();
  const { setCurrentProjectId } = useWorkspace();
  useEffect(() => setCurrentProjectId(projectId), [projectId, setCurrentProjectId]);
  const project = useResource<Project>(`/api/projects/${projectId}`);
  const trash = useResource<Page<TrashedDocument>>(`/api/documents/trash?projectId=${projectId}&limit=100`);
  const action = useAction();
  useDocumentTitle(project.data ? `Trash · ${project.data.name}` : undefined);

  const restore = async (document: TrashedDocument) => {
    if (!(await action.run(() => api.post(`/api/documents/${document.id}/restore`)))) return;
    invalidate('/api/documents');
    navigate(`/documents/${document.id}`);
  };
  const deleteForever = async (document: TrashedDocument) => {
    if (!window.confirm(`Delete “${document.title}” for good? Its content and history cannot be recovered.`)) return;
    if (await action.run(() => api.delete(`/api/documents/trash/${document.id}`))) trash.reload();
  };

  if (project.error || trash.error) {
    const failed = project.error ?? trash.error;
    return <ErrorPage message={failed?.status === 404 ? 'This project does not exist or you have no access.' : (failed?.message ?? '')} />;
  }
  if (!project.data || !trash.data) return <PageSkeleton />;
  const items = trash.data.items;

  return (
    <section className="page">
      <header className="page-head">
        <div>
          <Link to={`/projects/${projectId}`} className="muted small">
            ← {project.data.name}
          </Link>
          <h1>Trash</h1>
          <p className="muted">Deleted documents stay here for 30 days; restore one to bring it back with its history.</p>
        </div>
      </header>
      <section className="card" aria-labelledby="trash-heading">
        <h2 id="trash-heading" className="visually-hidden">
          Deleted documents
        </h2>
        <FormError error={action.error} />
        {items.length === 0 ? (
          <EmptyState title="The trash is empty">Documents you delete from this project wait here for 30 days.</EmptyState>
        ) : (
          <ul className="list documents" aria-labelledby="trash-heading">
            {items.map((d) => (
              <li key={d.id} className="member">
                <span className="member-name">
                  {d.title}
                  <span className="muted small">
                    {' '}
                    · deleted {formatDate(d.deletedAt)} · deleted for good in {daysLeft(d.purgeAt)} days
                  </span>
                </span>
                <span className="actions">
                  <button type="button" className="button secondary small" aria-label={`Restore ${d.title}`} onClick={() => restore(d)}>
                    Restore
                  </button>
                  <button
                    type="button"
                    className="button link small danger"
                    aria-label={`Delete ${d.title} forever`}
                    onClick={() => deleteForever(d)}
                  >
                    Delete forever
                  </button>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
