import type { Page } from '@flux/shared';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { useResource } from '../api/use-resource.js';
import { Field, FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';
import { formatDate } from '../orgs/project-page.js';
import type { DocumentVersion } from './types.js';

/** Named snapshots: save the current state, restore an earlier one (everyone sees it live). */
export function VersionsPanel({ documentId, canWrite }: { documentId: string; canWrite: boolean }) {
  const api = useApi();
  const versions = useResource<Page<DocumentVersion>>(`/api/documents/${documentId}/versions`);
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm(
    (values) => api.post<DocumentVersion>(`/api/documents/${documentId}/versions`, { name: values.name }),
    (version) => {
      versions.reload();
      setMessage(`Saved “${version.name}”.`);
    },
    { resetOnSuccess: true },
  );

  const restore = async (version: DocumentVersion) => {
    if (!window.confirm(`Restore “${version.name}”? Everyone editing will see the document change.`)) return;
    setMessage(null);
    try {
      await api.post(`/api/documents/${documentId}/versions/${version.id}/restore`);
      versions.reload();
      setMessage(`Restored “${version.name}”.`);
    } catch (error) {
      setMessage(error instanceof ApiError ? error.message : 'Could not restore that version.');
    }
  };

  return (
    <aside className="versions card" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      {canWrite && (
        <form onSubmit={form.onSubmit} noValidate>
          <FormError error={form.error} />
          <Field label="Version name" name="name" required placeholder="e.g. First draft" error={form.fields.name} />
          <button type="submit" className="button small" disabled={form.busy}>
            Save version
          </button>
        </form>
      )}
      <p role="status" className="notice small">
        {message}
      </p>
      <ul className="list">
        {(versions.data?.items ?? []).map((v) => (
          <li key={v.id} className="version">
            <span>
              <strong>{v.name}</strong>
              <span className="muted small"> {formatDate(v.createdAt)}</span>
            </span>
            {canWrite && (
              <button type="button" className="button link small" onClick={() => restore(v)}>
                Restore
              </button>
            )}
          </li>
        ))}
        {versions.data?.items.length === 0 && <li className="muted small">No saved versions yet.</li>}
      </ul>
    </aside>
  );
}
