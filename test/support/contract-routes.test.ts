import { describe, expect, it } from 'vitest';
import { contractRoutes, routeKey } from './contract-routes.js';

describe('contract route extraction', () => {
  it('normalises parameters, queries and trailing slashes', () => {
    expect(routeKey('get', '/api/users/{userId}/')).toBe('GET /api/users/{}');
    expect(routeKey('GET', '/api/users/:id?x=1')).toBe('GET /api/users/{}');
  });

  it('reads spans, method lists, §4 relative paths, table cells and … continuations', () => {
    const markdown = [
      '## 4. Auth (`/api/auth`)',
      '',
      '| call | body |',
      '|---|---|',
      '| `POST /mfa/totp/setup`, `/mfa/totp/enable` | `{code}` |',
      '| `GET /sessions`, `DELETE /sessions/:id` | |',
      '',
      'a CSRF token (from `GET /csrf`); `GET /api/users?q=` lists; `GET/PATCH /api/organizations/:id`;',
      'owners: `GET /api/organizations/:id/invitations`, `DELETE …/invitations/:invitationId`.',
      '',
      '## 5. Messaging',
      '',
      '- `POST|DELETE /api/messages/:id/reactions {emoji}`, `POST /api/conversations {type:"direct"|"group",',
      '  name?}` → 201; answers on its own port `GET /health`.',
    ].join('\n');
    expect(contractRoutes(markdown)).toEqual([
      'DELETE /api/auth/sessions/{}',
      'DELETE /api/messages/{}/reactions',
      'DELETE /api/organizations/{}/invitations/{}',
      'GET /api/auth/csrf',
      'GET /api/auth/sessions',
      'GET /api/organizations/{}',
      'GET /api/organizations/{}/invitations',
      'GET /api/users',
      'PATCH /api/organizations/{}',
      'POST /api/auth/mfa/totp/enable',
      'POST /api/auth/mfa/totp/setup',
      'POST /api/conversations',
      'POST /api/messages/{}/reactions',
    ]);
  });
});
