import type { Project } from '@flux/shared';
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { useResource } from '../api/use-resource.js';
import { useUser } from '../auth/auth-context.js';
import { useDocumentTitle } from '../components/use-document-title.js';
import { ErrorPage } from '../orgs/organization-page.js';
import { useWorkspace } from '../orgs/workspace-context.js';
import { Link, routeParam } from '../router.js';
import CollabEditor, { type Collaborator, type ConnectionState } from './collab-editor.js';
import { DocumentActions } from './document-actions.js';
import type { DocumentInfo } from './types.js';
import { VersionsPanel } from './versions-panel.js';
import { PageSkeleton } from '../components/skeleton.js';

const connectionLabels: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  disconnected: 'Offline — edits will sync when the connection returns',
  denied: 'You do not have access to this document',
  unauthorized: 'Session expired — reconnecting…',
};

/** Loaded on demand: CodeMirror, Yjs and y-websocket live in this route's chunk only. */
export default function DocumentPage({ params }: { params: Record<string, string> }) {
  const documentId = routeParam(params, 'documentId');
  const api = useApi();
  const me = useUser();
  const { organizations, setCurrentProjectId } = useWorkspace();
  const doc = useResource<DocumentInfo>(`/api/documents/${documentId}`);
  const projectOfDoc = doc.data?.projectId ?? null;
  useEffect(() => {
    if (projectOfDoc) setCurrentProjectId(projectOfDoc);
  }, [projectOfDoc, setCurrentProjectId]);
  const project = useResource<Project>(doc.data ? `/api/projects/${doc.data.projectId}` : null);
  const role = organizations.find((o) => o.id === project.data?.organizationId)?.role;
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [people, setPeople] = useState<Collaborator[]>([]);
  useDocumentTitle(doc.data?.title);

  if (doc.error)
    return <ErrorPage message={doc.error.status === 404 ? 'This document does not exist or you have no access.' : doc.error.message} />;
  if (!doc.data || !role) return <PageSkeleton />;
  const readOnly = role === 'guest';

  return (
    <section className="page document-page">
      <header className="page-head">
        <div>
          {project.data && (
            <Link to={`/projects/${project.data.id}`} className="muted small">
              ← {project.data.name}
            </Link>
          )}
          <h1>{doc.data.title}</h1>
          {!readOnly && <DocumentActions document={doc.data} onRenamed={(title) => doc.mutate((d) => d && { ...d, title })} />}
        </div>
        <div className="doc-status">
          <ul className="collaborators" aria-label="People in this document">
            {people.map((p) => (
              <li key={p.clientId} className="collaborator" style={{ background: p.color }} title={p.name}>
                {p.name}
              </li>
            ))}
          </ul>
          {readOnly && <span className="pill">Read only</span>}
          <span className={`pill connection-${connection}`} role="status" data-testid="connection">
            {connectionLabels[connection]}
          </span>
        </div>
      </header>
      <div className="document-layout">
        <CollabEditor
          api={api}
          documentId={documentId}
          user={me}
          readOnly={readOnly}
          onConnection={setConnection}
          onCollaborators={setPeople}
        />
        <VersionsPanel documentId={documentId} canWrite={!readOnly} />
      </div>
    </section>
  );
}
