import { describe, expect, it } from 'vitest';
import { toApiError } from './errors.js';

describe('toApiError', () => {
  it('puts validation messages next to their fields, in words', () => {
    const error = toApiError(400, {
      error: {
        code: 'validation_error',
        message: 'email: must match format "email"',
        details: {
          in: 'body',
          field: 'email',
          fields: [
            { field: 'email', message: 'must match format "email"' },
            { field: 'password', message: 'must NOT have fewer than 10 characters' },
          ],
        },
      },
    });
    expect(error.status).toBe(400);
    expect(error.fields).toEqual({ email: 'Enter a valid email address.', password: 'Use at least 10 characters.' });
    expect(error.message).toBe('Please check the highlighted fields.');
  });

  it('reads a single {field, message} detail and strips the repeated field name', () => {
    const error = toApiError(400, {
      error: { code: 'weak_password', message: 'password: too common', details: { field: 'password', message: 'password: too common' } },
    });
    expect(error.fieldMessage('password')).toBe('Too common');
  });

  it('puts the message of an error that names only its field next to that field', () => {
    const error = toApiError(400, {
      error: {
        code: 'weak_password',
        message: 'This is a very common password.',
        details: { field: 'password', suggestions: ['Add another word or two.'] },
      },
    });
    expect(error.fields).toEqual({ password: 'This is a very common password. Add another word or two.' });
  });

  it('replaces developer wording of known codes with sentences for people', () => {
    expect(toApiError(401, { error: { code: 'invalid_credentials', message: 'bad creds' } }).message).toBe(
      'That email and password do not match.',
    );
    expect(toApiError(409, { error: { code: 'email_taken', message: 'x' } }).message).toMatch(/already exists/);
  });

  it('says how long to wait on 429, from Retry-After', () => {
    const error = toApiError(429, { error: { code: 'rate_limited', message: 'slow down' } }, '120');
    expect(error.message).toBe('Too many attempts. Try again in 2 minutes.');
    expect(error.retryAfter).toBe(120);
  });

  it('never shows raw bodies when the answer is not the envelope', () => {
    const error = toApiError(502, '<html>Bad Gateway</html>');
    expect(error.message).toBe('Something went wrong on our side. Please try again.');
    expect(error.message).not.toContain('<html>');
  });

  it('keeps a server message for codes it does not know', () => {
    expect(toApiError(409, { error: { code: 'already_member', message: 'They are already a member.' } }).message).toBe(
      'They are already a member.',
    );
  });

  it('puts a conflict about one input next to that input', () => {
    const error = toApiError(409, { error: { code: 'email_taken', message: 'Email already registered' } });
    expect(error.fields).toEqual({ email: 'An account with this email already exists.' });
    expect(toApiError(409, { error: { code: 'slug_taken', message: 'slug used' } }).fields.slug).toMatch(/URL name is already used/);
  });
});
