import { AppError, canManageMembers, canWrite, type Role } from '@flux/shared';

/**
 * Who asks: a user and their role in the organization at hand (for a project, the project's
 * organization). `null` means not a member (or no such organization): such a caller may do nothing
 * there and learns nothing (404).
 */
export interface Actor {
  id: string;
  role: Role | null;
}

/** A platform-level actor, for the rules that do not belong to one organization. */
export interface Account {
  id: string;
  isAdmin: boolean;
}

/** The member an action is about. */
export interface MemberResource {
  userId: string;
}

/** Each action with the actor kind and the resource it is decided on. */
interface Rules {
  'organization:read': { actor: Actor; resource: null };
  /** Rename it or change its slug. */
  'organization:update': { actor: Actor; resource: null };
  /** Delete it with everything in it (its name typed again, checked by the service). */
  'organization:delete': { actor: Actor; resource: null };
  'member:list': { actor: Actor; resource: null };
  /** See members' email addresses (members and guests see names only). */
  'member:read_email': { actor: Actor; resource: null };
  /** Add, invite or change the role of members (before the role-specific rules below). */
  'member:manage': { actor: Actor; resource: null };
  /** Add or invite someone with this role. */
  'member:add': { actor: Actor; resource: { role: Role } };
  'member:change_role': { actor: Actor; resource: { from: Role; to: Role } };
  /** Remove a member, or leave (the member is the actor). */
  'member:remove': { actor: Actor; resource: MemberResource };
  /** The same, when the member to remove is an owner. */
  'member:remove_owner': { actor: Actor; resource: MemberResource };
  'project:create': { actor: Actor; resource: null };
  'project:read': { actor: Actor; resource: null };
  /** Rename, archive or restore a project. */
  'project:update': { actor: Actor; resource: null };
  /** Read everyone's security events, not only one's own. */
  'security_event:read_all': { actor: Account; resource: null };
  /** Anything under `/api/admin`: users, organizations, security events, system status. */
  'platform:admin': { actor: Account; resource: null };
}
export type Action = keyof Rules;
type ActorOf<A extends Action> = Rules[A]['actor'];
type ResourceOf<A extends Action> = Rules[A]['resource'];
type OrganizationAction = { [A in Action]: Rules[A]['actor'] extends Actor ? A : never }[Action];

type Member = { id: string; role: Role };
const isOwner = (role: Role) => role === 'owner';

const organizationRules: { [A in OrganizationAction]: (actor: Member, resource: ResourceOf<A>) => boolean } = {
  'organization:read': () => true,
  'organization:update': ({ role }) => canManageMembers(role),
  'organization:delete': ({ role }) => isOwner(role),
  'member:list': () => true,
  // Like Slack's owner/admin-only email visibility: a guest or member learns names, not addresses.
  'member:read_email': ({ role }) => canManageMembers(role),
  'member:manage': ({ role }) => canManageMembers(role),
  // Only owners hand out the owner role (and only they can take it away, below).
  'member:add': ({ role }, { role: granted }) => canManageMembers(role) && (!isOwner(granted) || isOwner(role)),
  'member:change_role': ({ role }, { from, to }) => canManageMembers(role) && ((!isOwner(from) && !isOwner(to)) || isOwner(role)),
  'member:remove': ({ id, role }, { userId }) => userId === id || canManageMembers(role),
  'member:remove_owner': ({ id, role }, { userId }) => userId === id || isOwner(role),
  'project:create': ({ role }) => canWrite(role),
  'project:read': () => true,
  'project:update': ({ role }) => canManageMembers(role),
};

const accountActions: readonly Action[] = ['security_event:read_all', 'platform:admin'];
const isOrganizationAction = (action: Action): action is OrganizationAction => !accountActions.includes(action);

/**
 * Every rule of auth in one place. Invariants that depend on the whole organization (the last
 * owner can neither leave nor be demoted) are checked by the organization service under a lock,
 * not here.
 */
export function can<A extends Action>(actor: ActorOf<A>, action: A, resource: ResourceOf<A>): boolean {
  // Narrowing `action` does not narrow the generic `actor`; the signature ties each action to its actor kind.
  if (!isOrganizationAction(action)) return (actor as Account).isAdmin;
  const { id, role } = actor as Actor;
  // The map's value type is a union over actions; `resource` is that action's by the signature.
  const rule = organizationRules[action] as (actor: Member, resource: ResourceOf<A>) => boolean;
  return role !== null && rule({ id, role }, resource);
}

/** What a refused member is told; the wording names the rule they ran into. */
const refusals: { [A in Action]: string } = {
  'organization:read': 'You do not have access to this resource.',
  'organization:update': 'Only owners and admins can manage this organization.',
  'organization:delete': 'Only owners can delete this organization.',
  'member:list': 'You do not have access to this resource.',
  'member:read_email': "Only owners and admins see members' email addresses.",
  'member:manage': 'Only owners and admins can manage this organization.',
  'member:add': 'Only owners can add owners.',
  'member:change_role': 'Only owners can grant or change the owner role.',
  'member:remove': 'Only owners and admins can remove members.',
  'member:remove_owner': 'Only owners can remove an owner.',
  'project:create': 'Guests cannot create projects.',
  'project:read': 'You do not have access to this resource.',
  'project:update': 'Only owners and admins can rename or archive projects.',
  'security_event:read_all': 'Only platform admins can read every security event.',
  'platform:admin': 'Not found.',
};

/**
 * `can`, or the error to answer: 404 for a non-member (hides that it exists), 403 for a member the
 * rule refuses. The admin console answers 404 to everyone but platform admins: it does not exist for them.
 */
export function authorize<A extends Action>(actor: ActorOf<A>, action: A, resource: ResourceOf<A>): void {
  if (isOrganizationAction(action) && (actor as Actor).role === null)
    throw AppError.notFound(action === 'project:read' || action === 'project:update' ? 'Project' : 'Organization');
  if (action === 'platform:admin' && !can(actor, action, resource)) throw AppError.notFound('Route');
  if (!can(actor, action, resource)) throw AppError.forbidden(refusals[action]);
}
