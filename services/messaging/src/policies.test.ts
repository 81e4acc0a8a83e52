import { AppError } from '@flux/shared';
import { describe, expect, it } from 'vitest';
import { type Action, type Actor, authorize, can, type Resources } from './policies.js';

const me = 'u-me';
const other = 'u-other';
const admin: Actor = { id: me, role: 'admin' };
const member: Actor = { id: me, role: 'member' };
const outsider: Actor = { id: me, role: null };

type Row = { [A in Action]: [A, Actor, Resources[A], boolean] }[Action];

// Every rule, for each kind of caller; a change of rule shows up here as a changed row.
const table: Row[] = [
  ['conversation.read', admin, { type: 'group' }, true],
  ['conversation.read', member, { type: 'direct' }, true],
  ['conversation.read', outsider, { type: 'project' }, false],
  ['conversation.add_members', admin, { type: 'group' }, true],
  ['conversation.add_members', member, { type: 'group' }, false],
  ['conversation.add_members', outsider, { type: 'group' }, false],
  ['conversation.remove_member', admin, { userId: other }, true],
  ['conversation.remove_member', member, { userId: other }, false],
  ['conversation.remove_member', member, { userId: me }, true],
  ['conversation.remove_member', outsider, { userId: me }, false],
  ['conversation.rename', member, { type: 'group' }, true],
  ['conversation.rename', outsider, { type: 'group' }, false],
  ['conversation.settings', member, { type: 'direct' }, true],
  ['conversation.settings', outsider, { type: 'direct' }, false],
  ['message.pin', member, { authorId: other }, true],
  ['message.pin', outsider, { authorId: other }, false],
  ['message.read', member, { authorId: other }, true],
  ['message.read', outsider, { authorId: me }, false],
  ['message.edit', member, { authorId: me }, true],
  ['message.edit', admin, { authorId: other }, false],
  ['message.edit', outsider, { authorId: me }, false],
  ['message.delete', member, { authorId: me }, true],
  ['message.delete', member, { authorId: other }, false],
  ['message.delete', admin, { authorId: other }, true],
  ['message.delete', outsider, { authorId: me }, false],
  ['message.react', member, { authorId: other }, true],
  ['message.react', outsider, { authorId: other }, false],
  ['file.download', outsider, { ownerId: me, sharedWithActor: false, documentRole: null }, true],
  ['file.download', outsider, { ownerId: other, sharedWithActor: true, documentRole: null }, true],
  ['file.download', outsider, { ownerId: other, sharedWithActor: false, documentRole: null }, false],
  ['file.download', outsider, { ownerId: other, sharedWithActor: false, documentRole: 'guest' }, true],
  ['file.attach_to_document', outsider, { documentRole: 'member' }, true],
  ['file.attach_to_document', outsider, { documentRole: 'guest' }, false],
  ['file.attach_to_document', outsider, { documentRole: null }, false],
  ['file.delete', outsider, { ownerId: me }, true],
  ['file.delete', outsider, { ownerId: other }, false],
];

const refusal = (fn: () => void): { status: number; message: string } | null => {
  try {
    fn();
    return null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { status: err.status, message: err.message };
  }
};

describe('policies', () => {
  it.each(table)('%s by %o on %o → %s', (action, actor, resource, allowed) => {
    expect(can(actor, action, resource as never)).toBe(allowed);
    expect(refusal(() => authorize(actor, action, resource as never)) === null).toBe(allowed);
  });

  it('hides from non-members (404) and refuses members (403)', () => {
    expect(refusal(() => authorize(outsider, 'conversation.add_members', { type: 'group' }))?.status).toBe(404);
    expect(refusal(() => authorize(member, 'conversation.add_members', { type: 'group' }))).toEqual({
      status: 403,
      message: 'Only the conversation admins can add members.',
    });
    expect(refusal(() => authorize(member, 'message.edit', { authorId: other }))?.status).toBe(403);
    expect(refusal(() => authorize(outsider, 'message.edit', { authorId: me }))?.status).toBe(404);
    // A file anyone may not use is one they cannot see.
    expect(refusal(() => authorize(outsider, 'file.delete', { ownerId: other }))?.status).toBe(404);
  });
});
