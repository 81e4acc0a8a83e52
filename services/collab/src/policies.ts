import { AppError } from '@flux/shared';
import { canManageMembers, canWrite, type Role } from '@flux/shared/constants';

/**
 * Who may do what in collab, in one place. Services load the document (and ask auth for the
 * caller's project role), then call `authorize`; the WebSocket asks `can` at admission and again
 * for open sockets when a membership changes. The rules here never touch the database.
 */

/** The caller as the rules see them: who they are and their role in the project concerned (null: not a member, or no such project). */
export interface Actor {
  id: string;
  role: Role | null;
}

export interface ProjectResource {
  projectId: string;
}

export interface DocumentResource {
  projectId: string;
  createdBy: string;
}

/** A comment or a thread (by its opening comment's author). */
export interface CommentResource {
  projectId: string;
  authorId: string;
}

/** The resource each action is about (only the fields the rules read). */
export interface Resources {
  /** See a project's document list. */
  'document.list': ProjectResource;
  'document.create': ProjectResource;
  /** Open it (REST or WebSocket), list its versions. */
  'document.read': DocumentResource;
  /** Rename it, send updates over the WebSocket, save or restore a version. */
  'document.edit': DocumentResource;
  'document.delete': DocumentResource;
  /** See the project's trash. */
  'document.list_trash': ProjectResource;
  /** Take it out of the trash. */
  'document.restore': DocumentResource;
  /** List a document's comment threads (guests too). */
  'comment.read': DocumentResource;
  /** Open a thread, reply, resolve or reopen: the document's writers (guests read only, as in the document). */
  'comment.write': DocumentResource;
  /** Delete a thread or a reply: its author, or an organization admin. */
  'comment.delete': CommentResource;
}
export type Action = keyof Resources;
/** The actions decided on one document (as opposed to on its project). */
export type DocumentAction = { [A in Action]: Resources[A] extends DocumentResource ? A : never }[Action];

const member = (actor: Actor) => actor.role !== null;
const writer = (actor: Actor) => actor.role !== null && canWrite(actor.role);

const rules: { [A in Action]: (actor: Actor, resource: Resources[A]) => boolean } = {
  'document.list': member,
  'document.create': writer,
  'document.read': member,
  'document.edit': writer,
  // Guests cannot be admins, so `writer` only matters for a guest who created a document before a downgrade.
  'document.delete': (actor, { createdBy }) =>
    writer(actor) && (createdBy === actor.id || (actor.role !== null && canManageMembers(actor.role))),
  // Restoring undoes a deletion and loses nothing, so anyone who may edit may do it (as in Notion).
  'document.list_trash': writer,
  'document.restore': writer,
  'comment.read': member,
  'comment.write': writer,
  'comment.delete': (actor, { authorId }) =>
    writer(actor) && (authorId === actor.id || (actor.role !== null && canManageMembers(actor.role))),
};

export function can<A extends Action>(actor: Actor, action: A, resource: Resources[A]): boolean {
  return rules[action](actor, resource);
}

const readOnly = 'Guests can read this document but not change it.';

/**
 * How a refusal answers: a non-member gets the same 404 as for a project or document that does
 * not exist (so they learn nothing); a member the rule refuses gets 403 naming the rule.
 */
const refusals: { [A in Action]: { hidden: string; forbidden?: (role: Role) => string } } = {
  // Every member may list and read: the only refusal is the non-member's 404.
  'document.list': { hidden: 'Project' },
  'document.create': { hidden: 'Project', forbidden: () => 'Guests cannot create documents.' },
  'document.read': { hidden: 'Document' },
  'document.edit': { hidden: 'Document', forbidden: () => readOnly },
  'document.delete': {
    hidden: 'Document',
    forbidden: (role) => (canWrite(role) ? 'Only the creator or an organization admin can delete this document.' : readOnly),
  },
  'document.list_trash': { hidden: 'Project', forbidden: () => 'Guests cannot see the trash.' },
  'document.restore': { hidden: 'Document', forbidden: () => readOnly },
  'comment.read': { hidden: 'Document' },
  'comment.write': { hidden: 'Document', forbidden: () => 'Guests can read comments but not write them.' },
  'comment.delete': {
    hidden: 'Document',
    forbidden: (role) => (canWrite(role) ? 'Only its author or an organization admin can delete this comment.' : readOnly),
  },
};

/** `can`, or the AppError that refuses: 404 when the actor is not a member, else 403. */
export function authorize<A extends Action>(actor: Actor, action: A, resource: Resources[A]): void {
  if (can(actor, action, resource)) return;
  const { hidden, forbidden } = refusals[action];
  if (actor.role === null || forbidden === undefined) throw AppError.notFound(hidden);
  throw AppError.forbidden(forbidden(actor.role));
}
