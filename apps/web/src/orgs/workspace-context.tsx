import type { Organization, Page, Project } from '@flux/shared';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { useResource } from '../api/use-resource.js';

const storageKey = 'flux.organizationId';

interface Workspace {
  organizations: Organization[];
  organization: Organization | null;
  projects: Project[];
  /** The current organization's projects have arrived (an empty list then means there are none). */
  projectsLoaded: boolean;
  loading: boolean;
  selectOrganization: (id: string) => void;
  /** The project on screen (a project or one of its documents), for the sidebar's documents. */
  currentProjectId: string | null;
  setCurrentProjectId: (id: string | null) => void;
}

const WorkspaceContext = createContext<Workspace | null>(null);

/** Which organization the person is working in (remembered per browser) and its projects. */
export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const orgs = useResource<Page<Organization>>('/api/organizations');
  const [selectedId, setSelectedId] = useState<string | null>(() => localStorage.getItem(storageKey));
  const [currentProjectId, setCurrentProjectId] = useState<string | null>(null);
  const organizations = useMemo(() => orgs.data?.items ?? [], [orgs.data]);
  // A just-created organization may not be in the list yet: keep the choice and wait for it.
  const chosen = organizations.find((o) => o.id === selectedId);
  const waiting = selectedId !== null && !chosen && orgs.loading;
  const organization = chosen ?? (waiting ? null : (organizations[0] ?? null));
  const projects = useResource<Page<Project>>(organization ? `/api/projects?organizationId=${organization.id}` : null);

  const selectOrganization = useCallback((id: string) => {
    localStorage.setItem(storageKey, id);
    setSelectedId(id);
  }, []);

  const value = useMemo(
    () => ({
      organizations,
      organization,
      // Archived projects leave the sidebar; the organization page lists them apart.
      projects: (projects.data?.items ?? []).filter((p) => !p.archivedAt),
      projectsLoaded: projects.data !== undefined,
      loading: orgs.loading && !orgs.data,
      selectOrganization,
      currentProjectId,
      setCurrentProjectId,
    }),
    [organizations, organization, projects.data, orgs.loading, orgs.data, selectOrganization, currentProjectId],
  );
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error('useWorkspace outside <WorkspaceProvider>');
  return workspace;
}
