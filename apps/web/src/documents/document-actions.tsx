import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { invalidate } from '../api/use-resource.js';
import { Field, FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';
import { navigate } from '../router.js';
import type { DocumentInfo } from './types.js';

/**
 * The document header's Rename (writers) and Move to trash (its creator or an organization admin;
 * the server decides, a refusal is shown): the trash keeps it restorable for 30 days.
 */
export function DocumentActions({ document, onRenamed }: { document: DocumentInfo; onRenamed: (title: string) => void }) {
  const api = useApi();
  const [renaming, setRenaming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const form = useForm(
    (values) => api.patch<DocumentInfo>(`/api/documents/${document.id}`, { title: values.title }),
    (renamed) => {
      setRenaming(false);
      onRenamed(renamed.title);
      invalidate('/api/documents');
    },
  );
  const trash = async () => {
    if (!window.confirm(`Move “${document.title}” to the trash? You can restore it from the project's trash for 30 days.`)) return;
    setError(null);
    try {
      await api.delete(`/api/documents/${document.id}`);
      invalidate('/api/documents');
      navigate(`/projects/${document.projectId}/trash`);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'That did not work.');
    }
  };

  if (renaming)
    return (
      <form onSubmit={form.onSubmit} noValidate className="card rename-form" aria-label="Rename document">
        <FormError error={form.error} />
        <Field label="Document title" name="title" defaultValue={document.title} required autoFocus error={form.fields.title} />
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
      <button type="button" className="button secondary small danger" onClick={trash}>
        Move to trash
      </button>
      <FormError error={error} />
    </div>
  );
}
