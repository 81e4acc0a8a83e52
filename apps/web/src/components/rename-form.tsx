import { Field, FormError } from './field.js';
import { useForm } from './use-form.js';

/** A one-field rename form (a document's title, a project's name): server errors beside the field, Cancel and Save. */
export function RenameForm<T>({
  label,
  field,
  value,
  save,
  onDone,
  onCancel,
}: {
  /** The form's accessible name, e.g. "Rename project". */
  label: string;
  field: { label: string; name: string };
  value: string;
  save: (value: string) => Promise<T>;
  onDone: (result: T) => void;
  onCancel: () => void;
}) {
  const form = useForm((values) => save(values[field.name] ?? ''), onDone);
  return (
    <form onSubmit={form.onSubmit} noValidate className="card rename-form" aria-label={label}>
      <FormError error={form.error} />
      <Field label={field.label} name={field.name} defaultValue={value} required autoFocus error={form.fields[field.name]} />
      <div className="row-end">
        <button type="button" className="button link small" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button small" disabled={form.busy}>
          Save
        </button>
      </div>
    </form>
  );
}
