import type { Project } from '@flux/shared';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { invalidate } from '../api/use-resource.js';
import { FormError } from '../components/field.js';
import { RenameForm } from '../components/rename-form.js';
import { useAction } from '../components/use-action.js';

/** Owners and admins rename a project, archive it (out of the sidebar, still readable) or bring it back. */
export function ProjectSettings({ project }: { project: Project }) {
  const api = useApi();
  const [renaming, setRenaming] = useState(false);
  const action = useAction();
  const setArchived = async (archived: boolean) => {
    if (await action.run(() => api.patch<Project>(`/api/projects/${project.id}`, { archived }))) invalidate('/api/projects');
  };

  if (renaming)
    return (
      <RenameForm
        label="Rename project"
        field={{ label: 'Project name', name: 'name' }}
        value={project.name}
        save={(name) => api.patch<Project>(`/api/projects/${project.id}`, { name })}
        onDone={() => {
          setRenaming(false);
          invalidate('/api/projects');
        }}
        onCancel={() => setRenaming(false)}
      />
    );
  return (
    <div className="actions">
      <button type="button" className="button secondary small" onClick={() => setRenaming(true)}>
        Rename
      </button>
      {project.archivedAt ? (
        <button type="button" className="button secondary small" onClick={() => setArchived(false)}>
          Restore project
        </button>
      ) : (
        <button
          type="button"
          className="button secondary small"
          onClick={() =>
            window.confirm(
              `Archive ${project.name}? It leaves the sidebar; its documents and chat stay readable and you can restore it.`,
            ) && setArchived(true)
          }
        >
          Archive
        </button>
      )}
      <FormError error={action.error} />
    </div>
  );
}
