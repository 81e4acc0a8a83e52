import { describe, expect, it } from 'vitest';
import { plainPreview } from './plain-text.js';

describe('plainPreview', () => {
  it('keeps the words of a Markdown message on one line, without its marks', () => {
    expect(plainPreview('**Brief** is _ready_ for @Bea, run `make frames`')).toBe('Brief is ready for @Bea, run make frames');
    expect(plainPreview('> quoted\n- one\n- two\n1. first')).toBe('quoted one two first');
    expect(plainPreview('see [the moodboard](https://example.com/mood) and ~~old~~ ![logo](x.png)')).toBe('see the moodboard and old logo');
    expect(plainPreview('```js\nconst a = 1;\n```')).toBe('const a = 1;');
  });

  it('leaves ordinary text alone', () => {
    expect(plainPreview('snake_case_name and 2 * 3 * 4 <b>hi</b>')).toBe('snake_case_name and 2 * 3 * 4 <b>hi</b>');
  });
});
