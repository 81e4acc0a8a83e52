import type { Organization } from '@flux/shared';
import { useApi } from '../api/api-context.js';
import { invalidate } from '../api/use-resource.js';
import { Field, FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';
import { navigate } from '../router.js';
import { useWorkspace } from './workspace-context.js';

export function CreateOrganizationForm() {
  const api = useApi();
  const { selectOrganization } = useWorkspace();
  const form = useForm(
    (values) => api.post<Organization>('/api/organizations', { name: values.name, ...(values.slug ? { slug: values.slug } : {}) }),
    (organization) => {
      selectOrganization(organization.id);
      invalidate('/api/organizations');
      navigate(`/orgs/${organization.id}`);
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="card">
      <FormError error={form.error} />
      <Field label="Organization name" name="name" required autoFocus error={form.fields.name} />
      <Field label="URL name (optional)" name="slug" hint="Lowercase letters, digits and dashes." error={form.fields.slug} />
      <button type="submit" className="button" disabled={form.busy}>
        Create organization
      </button>
    </form>
  );
}

export default function NewOrganization() {
  return (
    <section className="page narrow">
      <h1>New organization</h1>
      <CreateOrganizationForm />
    </section>
  );
}
