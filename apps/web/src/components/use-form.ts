import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/errors.js';

/**
 * Submitting a form to the API: a busy flag, a form-level message and per-field messages taken
 * from the error envelope, so every form shows server errors in words next to the input.
 */
export function useForm<T>(
  submit: (values: Record<string, string>) => Promise<T>,
  onDone?: (result: T) => void,
  { resetOnSuccess = false } = {},
) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [lastError, setLastError] = useState<ApiError | null>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const values = Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, String(v)]));
    setBusy(true);
    setError(null);
    setFields({});
    setLastError(null);
    try {
      const result = await submit(values);
      if (resetOnSuccess) form.reset();
      onDone?.(result);
    } catch (caught) {
      const apiError = caught instanceof ApiError ? caught : null;
      setLastError(apiError);
      const fieldErrors = apiError?.fields ?? {};
      setFields(fieldErrors);
      // Messages for inputs this form shows go next to them; anything else goes above the form.
      const unmatched = Object.entries(fieldErrors).filter(([name]) => !form.elements.namedItem(name));
      const shownBeside = Object.keys(fieldErrors).length > 0 && unmatched.length === 0;
      setError(
        !apiError
          ? 'Something went wrong. Please try again.'
          : shownBeside
            ? null
            : unmatched.length > 0
              ? unmatched.map(([, message]) => message).join(' ')
              : apiError.message,
      );
      if (!apiError) console.warn(caught);
    } finally {
      setBusy(false);
    }
  };

  return { onSubmit, busy, error, fields, lastError, setError };
}
