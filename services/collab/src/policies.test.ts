import type { Role } from '@flux/shared/constants';
import { describe, expect, it } from 'vitest';
import { type Action, authorize, can, type DocumentResource, type ProjectResource } from './policies.js';

const me = 'me';
const project = { projectId: 'p' };
const mine = { projectId: 'p', createdBy: me };
const theirs = { projectId: 'p', createdBy: 'someone else' };

type Answer = 'yes' | 404 | 403;
// role → [list, create, read, edit, delete mine, delete theirs, see the trash, restore theirs]
const table: Array<[Role | null, Answer, Answer, Answer, Answer, Answer, Answer, Answer, Answer]> = [
  ['owner', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes'],
  ['admin', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes'],
  ['member', 'yes', 'yes', 'yes', 'yes', 'yes', 403, 'yes', 'yes'],
  ['guest', 'yes', 403, 'yes', 403, 403, 403, 403, 403],
  [null, 404, 404, 404, 404, 404, 404, 404, 404],
];

function answer(fn: () => void): Answer {
  try {
    fn();
    return 'yes';
  } catch (err) {
    return (err as { status: 403 | 404 }).status;
  }
}

describe('collab policies', () => {
  it.each(table)('%s', (role, list, create, read, edit, deleteMine, deleteTheirs, listTrash, restore) => {
    const actor = { id: me, role };
    const cases: Array<[Action, ProjectResource | DocumentResource, Answer]> = [
      ['document.list', project, list],
      ['document.create', project, create],
      ['document.read', theirs, read],
      ['document.edit', theirs, edit],
      ['document.delete', mine, deleteMine],
      ['document.delete', theirs, deleteTheirs],
      ['document.list_trash', project, listTrash],
      ['document.restore', theirs, restore],
    ];
    for (const [action, resource, expected] of cases) {
      const got = answer(() => authorize(actor, action, resource));
      expect(got, `${role} ${action} ${resource === mine ? 'mine' : ''}`).toBe(expected);
      expect(can(actor, action, resource)).toBe(expected === 'yes');
    }
  });

  it('names the rule a refused member ran into, and the missing thing for a stranger', () => {
    const message = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        return (err as Error).message;
      }
    };
    const guest = { id: me, role: 'guest' as const };
    expect(message(() => authorize(guest, 'document.create', project))).toBe('Guests cannot create documents.');
    expect(message(() => authorize(guest, 'document.edit', mine))).toBe('Guests can read this document but not change it.');
    expect(message(() => authorize(guest, 'document.delete', mine))).toBe('Guests can read this document but not change it.');
    expect(message(() => authorize({ id: me, role: 'member' }, 'document.delete', theirs))).toBe(
      'Only the creator or an organization admin can delete this document.',
    );
    expect(message(() => authorize({ id: me, role: null }, 'document.list', project))).toBe('Project not found.');
    expect(message(() => authorize({ id: me, role: null }, 'document.read', theirs))).toBe('Document not found.');
  });
});

describe('collab comment policies', () => {
  const myComment = { projectId: 'p', authorId: me };
  const theirComment = { projectId: 'p', authorId: 'someone else' };
  // role → [read, write, delete mine, delete theirs]
  const comments: Array<[Role | null, Answer, Answer, Answer, Answer]> = [
    ['owner', 'yes', 'yes', 'yes', 'yes'],
    ['admin', 'yes', 'yes', 'yes', 'yes'],
    ['member', 'yes', 'yes', 'yes', 403],
    ['guest', 'yes', 403, 403, 403],
    [null, 404, 404, 404, 404],
  ];
  it.each(comments)('%s', (role, read, write, deleteMine, deleteTheirs) => {
    const actor = { id: me, role };
    expect(answer(() => authorize(actor, 'comment.read', theirs))).toBe(read);
    expect(answer(() => authorize(actor, 'comment.write', theirs))).toBe(write);
    expect(answer(() => authorize(actor, 'comment.delete', myComment))).toBe(deleteMine);
    expect(answer(() => authorize(actor, 'comment.delete', theirComment))).toBe(deleteTheirs);
  });
});
