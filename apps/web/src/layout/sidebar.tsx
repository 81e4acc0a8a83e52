import { useEffect, useRef } from 'react';
import { useConversations } from '../conversations/messaging-context.js';
import { conversationTitle } from '../conversations/conversation-title.js';
import { useAuth } from '../auth/auth-context.js';
import { useWorkspace } from '../orgs/workspace-context.js';
import { Link, navigate, useLocation } from '../router.js';
import { useResource } from '../api/use-resource.js';
import type { DocumentInfo } from '../documents/types.js';
import type { Page } from '@flux/shared';

/** The workspace navigation: a column on wide screens, a drawer on a phone (closed by `onClose`). */
export function Sidebar({ onClose, autoFocus }: { onClose: () => void; autoFocus: boolean }) {
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (autoFocus) closeButton.current?.focus();
  }, [autoFocus]);
  const { organizations, organization, projects, projectsLoaded, selectOrganization, currentProjectId } = useWorkspace();
  const { conversations, conversationsLoaded } = useConversations();
  const { user } = useAuth();
  const { pathname } = useLocation();
  const current = (path: string) => (pathname === path ? 'page' : undefined);
  // People conversations follow the person everywhere; a project's channel shows with its organization.
  const currentProject = currentProjectId ? projects.find((p) => p.id === currentProjectId) : undefined;
  // Archived ones wait in the conversations page's Archived section (messages features).
  const visible = conversations.filter((c) => !c.archived && (c.type !== 'project' || projects.some((p) => p.id === c.projectId)));

  return (
    <nav className="sidebar" id="sidebar" aria-label="Workspace">
      <div className="drawer-head">
        <span className="sidebar-label">Navigation</span>
        <button ref={closeButton} type="button" className="icon-button" aria-label="Close navigation" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="sidebar-section">
        <label htmlFor="org-switcher" className="sidebar-label">
          Organization
        </label>
        <select
          id="org-switcher"
          value={organization?.id ?? ''}
          onChange={(event) => {
            if (event.target.value === '__new') return navigate('/orgs/new');
            selectOrganization(event.target.value);
            navigate(`/orgs/${event.target.value}`);
          }}
        >
          {organizations.length === 0 && <option value="">No organization yet</option>}
          {organizations.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
          <option value="__new">+ New organization…</option>
        </select>
        {organization && (
          <Link to={`/orgs/${organization.id}`} className="sidebar-link" aria-current={current(`/orgs/${organization.id}`)}>
            Members &amp; settings
          </Link>
        )}
      </div>

      <section className="sidebar-section" aria-labelledby="sidebar-projects">
        <h2 className="sidebar-label" id="sidebar-projects">
          Projects
        </h2>
        <ul>
          {projects.map((p) => (
            <li key={p.id}>
              <Link to={`/projects/${p.id}`} className="sidebar-link" aria-current={current(`/projects/${p.id}`)}>
                <span className="dot project" aria-hidden="true" /> {p.name}
              </Link>
            </li>
          ))}
          {projectsLoaded && projects.length === 0 && <li className="muted small">No projects yet</li>}
        </ul>
      </section>

      {currentProject && <ProjectDocuments projectId={currentProject.id} name={currentProject.name} current={current} />}

      <section className="sidebar-section" aria-labelledby="sidebar-conversations">
        <h2 className="sidebar-label" id="sidebar-conversations">
          <Link to="/conversations">Conversations</Link>
        </h2>
        <ul>
          {visible.slice(0, 12).map((c) => (
            <li key={c.id}>
              <Link to={`/conversations/${c.id}`} className="sidebar-link" aria-current={current(`/conversations/${c.id}`)}>
                <span className="truncate">{conversationTitle(c, user?.id)}</span>
                {c.unreadCount > 0 && !c.muted && (
                  <span className="badge" role="img" aria-label={`${c.unreadCount} unread`}>
                    {c.unreadCount}
                  </span>
                )}
              </Link>
            </li>
          ))}
          {conversationsLoaded && projectsLoaded && visible.length === 0 && <li className="muted small">No conversations yet</li>}
        </ul>
      </section>

      <section className="sidebar-section" aria-labelledby="sidebar-people">
        <h2 className="sidebar-label" id="sidebar-people">
          <Link to="/people" aria-current={current('/people')}>
            People
          </Link>
        </h2>
      </section>
    </nav>
  );
}

function ProjectDocuments({
  projectId,
  name,
  current,
}: {
  projectId: string;
  name: string;
  current: (path: string) => 'page' | undefined;
}) {
  const documents = useResource<Page<DocumentInfo>>(`/api/documents?projectId=${projectId}`);
  return (
    <section className="sidebar-section" aria-labelledby="sidebar-documents">
      <h2 className="sidebar-label" id="sidebar-documents">
        Documents · {name}
      </h2>
      <ul>
        {(documents.data?.items ?? []).map((d) => (
          <li key={d.id}>
            <Link to={`/documents/${d.id}`} className="sidebar-link" aria-current={current(`/documents/${d.id}`)}>
              <span className="truncate">{d.title}</span>
            </Link>
          </li>
        ))}
        {documents.data?.items.length === 0 && <li className="muted small">No documents yet</li>}
      </ul>
    </section>
  );
}
