import { randomBytes } from 'node:crypto';

/** A URL-safe slug from a name; never empty, so organizations always have one. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replaceAll(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replaceAll(/[^a-z0-9]+/g, '-')
    .replaceAll(/^-+|-+$/g, '')
    .slice(0, 48)
    .replaceAll(/-+$/g, '');
  return slug || 'org';
}

/** The slug with a short random suffix, used when the plain one is taken. */
export const withSuffix = (slug: string): string => `${slug}-${randomBytes(3).toString('hex')}`;
