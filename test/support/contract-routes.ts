import { readFileSync } from 'node:fs';

/** `GET /api/users/:id` and `get /api/users/{userId}` both become `GET /api/users/{}`. */
export function routeKey(method: string, path: string): string {
  const normalised = path
    .split('?')[0]
    ?.replace(/:[A-Za-z_]\w*|\{[^}]+\}/g, '{}')
    .replace(/(.)\/$/, '$1');
  return `${method.toUpperCase()} ${normalised}`;
}

const METHOD = '(?:GET|POST|PUT|PATCH|DELETE)';
/** A code span that starts with one or more methods (`GET/PATCH`, `POST|DELETE`) and a path. */
const routeSpan = new RegExp(`^(${METHOD}(?:[/|]${METHOD})*)\\s+(\\S+)`);

/**
 * Every HTTP route the contract names, as `METHOD /path` keys (see routeKey): code spans like
 * `GET /api/...` anywhere, and in §4 (`/api/auth`) the paths relative to that base, including a
 * table cell's method-less spans (`/mfa/totp/enable` after `POST /mfa/totp/setup`). `…/x` continues
 * the last path that contains `/x`. Paths outside `/api` (a service's own `/health`) are not public.
 */
export function contractRoutes(markdown: string): string[] {
  const routes = new Set<string>();
  let lastPath = '';
  for (const section of markdown.split(/\n(?=## )/)) {
    const base = section.startsWith('## 4.') ? '/api/auth' : '';
    // Table rows are read cell by cell (a method carries over within its cell); prose paragraph by paragraph.
    const units = section.split(/\n\s*\n/).flatMap((paragraph) => (paragraph.startsWith('|') ? paragraph.split(/\||\n/) : [paragraph]));
    for (const unit of units) {
      let method: string[] = [];
      for (const [, span = ''] of unit.matchAll(/`([^`]+)`/g)) {
        const match = routeSpan.exec(span);
        let path: string;
        if (match) {
          method = (match[1] ?? '').split(/[/|]/);
          path = match[2] ?? '';
        } else if (method.length > 0 && /^\/\S*$/.test(span)) {
          path = span;
        } else continue;
        if (path.startsWith('…')) {
          const rest = path.slice(1);
          const first = rest.split('/')[1] ?? '';
          path = lastPath.slice(0, lastPath.indexOf(`/${first}`)) + rest;
        } else if (!path.startsWith('/api') && base) {
          path = base + path;
        }
        if (!path.startsWith('/api')) continue;
        lastPath = path.split('?')[0] ?? path;
        for (const m of method) routes.add(routeKey(m, path));
      }
    }
  }
  return [...routes].sort();
}

export const readContractRoutes = (file: string): string[] => contractRoutes(readFileSync(file, 'utf8'));
