import type { Organization } from '@flux/shared';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { invalidate } from '../api/use-resource.js';
import { Field, FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';

/** Owners and admins rename the organization (and its URL name). */
export function RenameOrganization({ organization }: { organization: Organization }) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const form = useForm(
    (values) =>
      api.patch<Organization>(`/api/organizations/${organization.id}`, {
        name: values.name,
        ...(values.slug && values.slug !== organization.slug ? { slug: values.slug } : {}),
      }),
    () => {
      invalidate('/api/organizations');
      setOpen(false);
    },
  );
  if (!open) {
    return (
      <button type="button" className="button secondary small" onClick={() => setOpen(true)}>
        Rename
      </button>
    );
  }
  return (
    <form onSubmit={form.onSubmit} noValidate className="card rename-form">
      <FormError error={form.error} />
      <Field label="Organization name" name="name" defaultValue={organization.name} required autoFocus error={form.fields.name} />
      <Field label="URL name" name="slug" defaultValue={organization.slug} error={form.fields.slug} />
      <div className="row-end">
        <button type="button" className="button link small" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <button type="submit" className="button small" disabled={form.busy}>
          Save
        </button>
      </div>
    </form>
  );
}
