import type { Role } from '@flux/shared';
import { describe, expect, it } from 'vitest';
import { type Action, authorize, can } from './policies.js';

const me = 'me';
const self = { userId: me };
const other = { userId: 'someone else' };

type Answer = 'yes' | 404 | 403;

function answer(fn: () => void): Answer {
  try {
    fn();
    return 'yes';
  } catch (err) {
    return (err as { status: 403 | 404 }).status;
  }
}

// The cases of one row, in the order of the table's columns.
const cases: Array<[string, Action, unknown]> = [
  ['read org', 'organization:read', null],
  ['update org', 'organization:update', null],
  ['list members', 'member:list', null],
  ['see member emails', 'member:read_email', null],
  ['manage members', 'member:manage', null],
  ['add member', 'member:add', { role: 'member' }],
  ['add owner', 'member:add', { role: 'owner' }],
  ['member → admin', 'member:change_role', { from: 'member', to: 'admin' }],
  ['member → owner', 'member:change_role', { from: 'member', to: 'owner' }],
  ['owner → admin', 'member:change_role', { from: 'owner', to: 'admin' }],
  ['remove other', 'member:remove', other],
  ['leave', 'member:remove', self],
  ['remove other owner', 'member:remove_owner', other],
  ['leave as owner', 'member:remove_owner', self],
  ['create project', 'project:create', null],
  ['read project', 'project:read', null],
  ['delete org', 'organization:delete', null],
  ['rename/archive project', 'project:update', null],
];

// role → one answer per case above
const table: Array<[Role | null, ...Answer[]]> = [
  ['owner', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes'],
  ['admin', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 403, 'yes', 403, 403, 'yes', 'yes', 403, 'yes', 'yes', 'yes', 403, 'yes'],
  ['member', 'yes', 403, 'yes', 403, 403, 403, 403, 403, 403, 403, 403, 'yes', 403, 'yes', 'yes', 'yes', 403, 403],
  ['guest', 'yes', 403, 'yes', 403, 403, 403, 403, 403, 403, 403, 403, 'yes', 403, 'yes', 403, 'yes', 403, 403],
  [null, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
];

describe('auth policies', () => {
  it.each(table)('%s', (role, ...answers) => {
    expect(answers).toHaveLength(cases.length);
    const actor = { id: me, role };
    cases.forEach(([label, action, resource], i) => {
      // The table mixes actions; each row's resource matches its action by construction.
      const decide = authorize as (actor: unknown, action: Action, resource: unknown) => void;
      const allowed = can as (actor: unknown, action: Action, resource: unknown) => boolean;
      expect(
        answer(() => decide(actor, action, resource)),
        `${role} ${label}`,
      ).toBe(answers[i]);
      expect(allowed(actor, action, resource), `${role} ${label}`).toBe(answers[i] === 'yes');
    });
  });

  it('lets platform admins, and only them, read every security event', () => {
    expect(can({ id: me, isAdmin: true }, 'security_event:read_all', null)).toBe(true);
    expect(can({ id: me, isAdmin: false }, 'security_event:read_all', null)).toBe(false);
    expect(answer(() => authorize({ id: me, isAdmin: false }, 'security_event:read_all', null))).toBe(403);
  });

  it('opens the admin console to platform admins and hides it (404) from everyone else', () => {
    expect(answer(() => authorize({ id: me, isAdmin: true }, 'platform:admin', null))).toBe('yes');
    expect(answer(() => authorize({ id: me, isAdmin: false }, 'platform:admin', null))).toBe(404);
  });

  it('names the rule a refused member ran into, and the missing thing for a stranger', () => {
    const message = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        return (err as Error).message;
      }
    };
    const admin = { id: me, role: 'admin' as const };
    const guest = { id: me, role: 'guest' as const };
    const stranger = { id: me, role: null };
    expect(message(() => authorize(guest, 'organization:update', null))).toBe('Only owners and admins can manage this organization.');
    expect(message(() => authorize(guest, 'member:manage', null))).toBe('Only owners and admins can manage this organization.');
    expect(message(() => authorize(admin, 'member:add', { role: 'owner' }))).toBe('Only owners can add owners.');
    expect(message(() => authorize(admin, 'member:change_role', { from: 'owner', to: 'admin' }))).toBe(
      'Only owners can grant or change the owner role.',
    );
    expect(message(() => authorize(guest, 'member:remove', other))).toBe('Only owners and admins can remove members.');
    expect(message(() => authorize(admin, 'member:remove_owner', other))).toBe('Only owners can remove an owner.');
    expect(message(() => authorize(guest, 'project:create', null))).toBe('Guests cannot create projects.');
    expect(message(() => authorize(stranger, 'organization:read', null))).toBe('Organization not found.');
    expect(message(() => authorize(stranger, 'project:create', null))).toBe('Organization not found.');
    expect(message(() => authorize(stranger, 'project:read', null))).toBe('Project not found.');
  });
});
