import type { Project } from '@flux/shared';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { invalidate } from '../api/use-resource.js';
import { Field, FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';

/** Owners and admins rename a project, archive it (out of the sidebar, still readable) or bring it back. */
export function ProjectSettings({ project }: { project: Project }) {
  const api = useApi();
  const [renaming, setRenaming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => {
    invalidate('/api/projects');
  };
  const form = useForm(
    (values) => api.patch<Project>(`/api/projects/${project.id}`, { name: values.name }),
    () => {
      setRenaming(false);
      refresh();
    },
  );
  const setArchived = async (archived: boolean) => {
    setError(null);
    try {
      await api.patch<Project>(`/api/projects/${project.id}`, { archived });
      refresh();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'That did not work.');
    }
  };

  if (renaming)
    return (
      <form onSubmit={form.onSubmit} noValidate className="card rename-form" aria-label="Rename project">
        <FormError error={form.error} />
        <Field label="Project name" name="name" defaultValue={project.name} required autoFocus error={form.fields.name} />
        <div className="row-end">
          <button type="button" className="button link small" onClick={() => setRenaming(false)}>
            Cancel
          </button>
          <button type="submit" className="button small" disabled={form.busy}>
            Save
          </button>
        </div>
      </form>
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
      <FormError error={error} />
    </div>
  );
}
