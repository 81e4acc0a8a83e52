import type { Organization } from '@flux/shared';
import { useId, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { invalidate } from '../api/use-resource.js';
import { FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';
import { navigate } from '../router.js';
import { useWorkspace } from './workspace-context.js';

/** The owners' danger zone: deleting the organization, its projects, documents' access and chats, after typing its name. */
export function DeleteOrganization({ organization }: { organization: Organization }) {
  const api = useApi();
  const { organizations, selectOrganization } = useWorkspace();
  const inputId = useId();
  const [typed, setTyped] = useState('');
  const form = useForm(
    () => api.delete(`/api/organizations/${organization.id}`, { confirmName: typed }),
    () => {
      const next = organizations.find((o) => o.id !== organization.id);
      if (next) selectOrganization(next.id);
      invalidate('/api/organizations');
      invalidate('/api/projects');
      navigate('/', { replace: true });
    },
  );
  return (
    <section aria-labelledby="danger-heading" className="card danger-zone">
      <h2 id="danger-heading">Delete this organization</h2>
      <p className="muted">
        Its projects, their documents and chats go with it, and every member loses access at once. This cannot be undone.
      </p>
      <form onSubmit={form.onSubmit} noValidate className="inline-form">
        <FormError error={form.error} />
        <div className="field">
          <label htmlFor={inputId}>
            Type <strong>{organization.name}</strong> to confirm
          </label>
          <input id={inputId} name="confirmName" autoComplete="off" value={typed} onChange={(event) => setTyped(event.target.value)} />
        </div>
        <button type="submit" className="button danger" disabled={form.busy || typed.trim() !== organization.name}>
          Delete organization
        </button>
      </form>
    </section>
  );
}
