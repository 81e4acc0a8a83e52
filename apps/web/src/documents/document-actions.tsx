import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { invalidate } from '../api/use-resource.js';
import { FormError } from '../components/field.js';
import { RenameForm } from '../components/rename-form.js';
import { useAction } from '../components/use-action.js';
import { navigate } from '../router.js';
import type { DocumentInfo } from './types.js';

/**
 * The document header's Rename (writers) and Move to trash (its creator or an organization admin;
 * the server decides, a refusal is shown): the trash keeps it restorable for 30 days.
 */
export function DocumentActions({ document, onRenamed }: { document: DocumentInfo; onRenamed: (title: string) => void }) {
  const api = useApi();
  const [renaming, setRenaming] = useState(false);
  const action = useAction();
  const trash = async () => {
    if (!window.confirm(`Move “${document.title}” to the trash? You can restore it from the project's trash for 30 days.`)) return;
    if (!(await action.run(() => api.delete(`/api/documents/${document.id}`)))) return;
    invalidate('/api/documents');
    navigate(`/projects/${document.projectId}/trash`);
  };

  if (renaming)
    return (
      <RenameForm
        label="Rename document"
        field={{ label: 'Document title', name: 'title' }}
        value={document.title}
        save={(title) => api.patch<DocumentInfo>(`/api/documents/${document.id}`, { title })}
        onDone={(renamed) => {
          setRenaming(false);
          onRenamed(renamed.title);
          invalidate('/api/documents');
        }}
        onCancel={() => setRenaming(false)}
      />
    );
  return (
    <div className="actions">
      <button type="button" className="button secondary small" onClick={() => setRenaming(true)}>
        Rename
      </button>
      <button type="button" className="button secondary small danger" onClick={trash}>
        Move to trash
      </button>
      <FormError error={action.error} />
    </div>
  );
}
