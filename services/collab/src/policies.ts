import { AppError, canManageMembers, canWrite, type Role } from '@flux/shared';

/**
 * Who asks: a user and their role in the project at hand, as auth answered it. `null` means not
 * a member (or no such project): such a caller may do nothing and learns nothing (404).
 */
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

/** Each action with the resource it is decided on. */
interface Resources {
  /** See a project's document list. */
  'document:list': ProjectResource;
  'document:create': ProjectResource;
  /** Open it (REST or WebSocket), list its versions. */
  'document:read': DocumentResource;
  /** Rename it, send updates over the WebSocket, save or restore a version. */
  'document:edit': DocumentResource;
  'document:delete': DocumentResource;
}
export type Action = keyof Resources;
/** The actions decided on one document (as opposed to on its project). */
export type DocumentAction = { [A in Action]: Resources[A] extends DocumentResource ? A : never }[Action];

type Member = { id: string; role: Role };

const rules: { [A in Action]: (actor: Member, resource: Resources[A]) => boolean } = {
  'document:list': () => true,
  'document:create': ({ role }) => canWrite(role),
  'document:read': () => true,
  'document:edit': ({ role }) => canWrite(role),
  // Guests cannot be admins, so canWrite only matters for a guest who created a document before a downgrade.
  'document:delete': ({ id, role }, document) => canWrite(role) && (document.createdBy === id || canManageMembers(role)),
};

/** Every rule of collab in one place; the REST routes and the WebSocket both ask here. */
export function can<A extends Action>(actor: Actor, action: A, resource: Resources[A]): boolean {
  return actor.role !== null && rules[action]({ id: actor.id, role: actor.role }, resource);
}

/** What a refused member is told; the wording names the rule they ran into. */
function refusal(action: Action, role: Role): string {
  if (action === 'document:create') return 'Guests cannot create documents.';
  if (action === 'document:delete' && canWrite(role)) return 'Only the creator or an organization admin can delete this document.';
  return 'Guests can read this document but not change it.';
}

/** `can`, or the error to answer: 404 for a non-member (hides that it exists), 403 for a member the rule refuses. */
export function authorize<A extends Action>(actor: Actor, action: A, resource: Resources[A]): void {
  if (actor.role === null) throw AppError.notFound(action === 'document:list' || action === 'document:create' ? 'Project' : 'Document');
  if (!can(actor, action, resource)) throw AppError.forbidden(refusal(action, actor.role));
}
