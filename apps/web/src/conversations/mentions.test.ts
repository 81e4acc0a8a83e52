import { describe, expect, it } from 'vitest';
import { mentionQuery, mentionToken } from './mentions.js';

describe('mentions', () => {
  it('finds the @word being typed before the caret', () => {
    expect(mentionQuery('hi @ali', 7)).toEqual({ start: 3, text: 'ali' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, text: '' });
  });

  it('ignores e-mail addresses and text after the caret', () => {
    expect(mentionQuery('mail bob@example', 16)).toBeNull();
    expect(mentionQuery('hi @ali there', 13)).toBeNull();
  });

  it('writes the first name, which the server resolves to the member', () => {
    expect(mentionToken('Ada Lovelace')).toBe('@Ada');
  });
});
