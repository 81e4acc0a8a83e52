import { describe, expect, it } from 'vitest';
import { slugify, withSuffix } from './slug.js';

describe('slugify', () => {
  it('makes URL-safe slugs and never an empty one', () => {
    expect(slugify('Acme Studio')).toBe('acme-studio');
    expect(slugify('  Café  Crème!! ')).toBe('cafe-creme');
    expect(slugify('🚀')).toBe('org');
    expect(slugify('a'.repeat(80))).toHaveLength(48);
    expect(slugify(`${'a'.repeat(47)}-b`)).toBe('a'.repeat(47));
    expect(withSuffix('acme')).toMatch(/^acme-[0-9a-f]{6}$/);
  });
});
