// The TypeBox-free entry: values from the main entry would pull the schemas into the initial bundle.
import { type ErrorCode, isErrorBody, isErrorCode } from '@flux/shared/constants';

/** A contract code, or `unknown` when the answer carried none this build knows (no envelope, a newer server). */
export type ApiErrorCode = ErrorCode | 'unknown';

/** One problem with one input, ready to show next to that input. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An error answer from the API in words a person can read: `message` for the form as a whole,
 * `fields` for messages that belong next to a particular input.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly fields: Record<string, string> = {},
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  fieldMessage(field: string): string | undefined {
    return this.fields[field];
  }
}

/** Codes whose server text is written for developers; people get these instead. */
const friendlyMessages: Partial<Record<ApiErrorCode, string>> = {
  invalid_credentials: 'That email and password do not match.',
  email_taken: 'An account with this email already exists.',
  mfa_required: 'Enter the 6-digit code from your authenticator app.',
  invalid_otp: 'That code is not right. Try the current one from your app.',
  reauth_required: 'Confirm your password first, then try again.',
  refresh_token_reused: 'Your session ended for safety. Please sign in again.',
  slug_taken: 'That URL name is already used by another organization.',
  last_owner: 'An organization needs at least one owner. Make someone else an owner first.',
  payload_too_large: 'That file is too large.',
  unsupported_media_type: 'That type of file is not supported.',
  internal_error: 'Something went wrong on our side. Please try again.',
  service_unavailable: 'The service is briefly unavailable. Please try again.',
};

/** Conflicts that are about one input, though the server names no field: shown next to it. */
const fieldOfCode: Partial<Record<ApiErrorCode, string>> = { email_taken: 'email', slug_taken: 'slug', weak_password: 'password' };

/** Server validation messages (JSON-schema wording) turned into sentences. */
export function humanizeFieldMessage(field: string, message: string): string {
  const format = /must match format "(\w+)"/.exec(message)?.[1];
  if (format === 'email') return 'Enter a valid email address.';
  if (format === 'uuid') return 'This reference is not valid.';
  const min = /must NOT have fewer than (\d+) characters/.exec(message)?.[1];
  if (min) return min === '1' ? 'This field is required.' : `Use at least ${min} characters.`;
  const max = /must NOT have more than (\d+) characters/.exec(message)?.[1];
  if (max) return `Use at most ${max} characters.`;
  if (/must have required property/.test(message)) return 'This field is required.';
  // Server messages often repeat the field name ("password: too weak"); drop it.
  const bare = message.replace(new RegExp(`^${field}:\\s*`), '');
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}

function fieldsFrom(details: unknown, message: string): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!details || typeof details !== 'object') return fields;
  const d = details as { field?: unknown; message?: unknown; fields?: unknown };
  if (Array.isArray(d.fields)) {
    for (const item of d.fields as Array<{ field?: unknown; message?: unknown }>) {
      if (typeof item?.field !== 'string' || typeof item.message !== 'string') continue;
      const name = item.field.replace(/^\//, '').split('/')[0] ?? item.field;
      fields[name] ??= humanizeFieldMessage(name, item.message);
    }
  } else if (typeof d.field === 'string') {
    // `{field}` alone (e.g. weak_password) means the error's own message belongs to that field.
    fields[d.field] = humanizeFieldMessage(d.field, typeof d.message === 'string' ? d.message : message);
    const suggestions = (d as { suggestions?: unknown }).suggestions;
    if (Array.isArray(suggestions) && suggestions.length > 0)
      fields[d.field] += ` ${suggestions.filter((x) => typeof x === 'string').join(' ')}`;
  }
  return fields;
}

/** Turns any answer that is not ok into an ApiError; never exposes raw JSON to the page. */
export function toApiError(status: number, body: unknown, retryAfterHeader?: string | null): ApiError {
  const retryAfter = retryAfterHeader ? Number(retryAfterHeader) || undefined : undefined;
  if (!isErrorBody(body)) {
    const message =
      status === 429
        ? 'Too many attempts. Please wait a moment and try again.'
        : status >= 500
          ? 'Something went wrong on our side. Please try again.'
          : `The request failed (${status}).`;
    return new ApiError(status, status >= 500 ? 'internal_error' : 'unknown', message, {}, retryAfter);
  }
  const { message, details } = body.error;
  const code = isErrorCode(body.error.code) ? body.error.code : 'unknown';
  const fields = fieldsFrom(details, friendlyMessages[code] ?? message);
  const field = fieldOfCode[code];
  if (field && Object.keys(fields).length === 0) fields[field] = friendlyMessages[code] ?? message;
  let text = friendlyMessages[code] ?? message;
  if (code === 'rate_limited') {
    const seconds = retryAfter ?? (details as { retryAfter?: number } | undefined)?.retryAfter;
    text = seconds ? `Too many attempts. Try again in ${formatWait(seconds)}.` : 'Too many attempts. Please try again later.';
  }
  if (code === 'validation_error' && Object.keys(fields).length > 0) text = 'Please check the highlighted fields.';
  return new ApiError(status, code, text, fields, retryAfter);
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** A network failure (offline, gateway down) as an ApiError so forms handle one type. */
export const networkError = () => new ApiError(0, 'network_error', 'Cannot reach FluxStudio. Check your connection and try again.');
