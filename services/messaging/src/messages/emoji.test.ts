import { describe, expect, it } from 'vitest';
import { isEmoji } from './emoji.js';

describe('isEmoji', () => {
  it('accepts single emoji, with modifiers, ZWJ sequences, flags and keycaps', () => {
    for (const emoji of ['👍', '🎉', '❤️', '👍🏽', '👩‍💻', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇫🇷', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '1️⃣', '#️⃣']) {
      expect(isEmoji(emoji), emoji).toBe(true);
    }
  });

  it('refuses text, several emoji, stray modifiers and invisible characters', () => {
    for (const text of ['a', 'ok', ':+1:', '1', '👍👍', '👍 ', ' 👍', '\u200D', '\uFE0F', '🏽', '🇫', '<script>', '\u0000', '👍\u200B']) {
      expect(isEmoji(text), JSON.stringify(text)).toBe(false);
    }
  });
});
