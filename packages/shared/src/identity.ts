import { Type, type Static } from '@sinclair/typebox';
import { Uuid } from './common.js';
import { Roles } from './constants.js';

export const RoleSchema = Type.Union(Roles.map((r) => Type.Literal(r)));

/** Claims of an access token issued by auth and verified by every service with auth's JWKS. */
export interface AccessTokenClaims {
  sub: string; // user id
  sid: string; // session id
  name: string;
  email: string;
}

/** Who is calling, as every service's rules take it (from the token: `id` = `sub`, `sessionId` = `sid`). */
export interface Caller {
  id: string;
  sessionId: string;
  name: string;
  email: string;
}

export const PublicUser = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  emailVerified: Type.Boolean(),
  /** A platform admin (the admin console); the web shows its link without asking /api/admin. */
  isAdmin: Type.Boolean(),
  createdAt: Type.String(),
});
export type PublicUser = Static<typeof PublicUser>;

/** `GET /internal/users/:id` on auth. */
export const InternalUser = Type.Object({ id: Uuid, email: Type.String(), name: Type.String() });
export type InternalUser = Static<typeof InternalUser>;

/** `GET /internal/projects/:id/access?userId=` on auth: the caller's role in the project, or null. */
export const ProjectAccess = Type.Object({
  projectId: Uuid,
  organizationId: Uuid,
  userId: Uuid,
  role: Type.Union([RoleSchema, Type.Null()]),
});
export type ProjectAccess = Static<typeof ProjectAccess>;

/** `GET /internal/projects/:id/members` on auth. */
export const ProjectMembers = Type.Object({
  projectId: Uuid,
  members: Type.Array(Type.Object({ userId: Uuid, role: RoleSchema })),
});
export type ProjectMembers = Static<typeof ProjectMembers>;

/** `GET /internal/users?ids=a,b` (or `?name=`) on auth: several users at once. */
export const InternalUserList = Type.Object({ items: Type.Array(InternalUser) });
export type InternalUserList = Static<typeof InternalUserList>;

/**
 * `POST /internal/users/shared-organization` on auth: which of `otherIds` share at least one
 * organization with `userId` (messaging asks before it puts people in one conversation).
 */
export const SharedOrganizationQuery = Type.Object(
  { userId: Uuid, otherIds: Type.Array(Uuid, { maxItems: 500 }) },
  { additionalProperties: false },
);
export type SharedOrganizationQuery = Static<typeof SharedOrganizationQuery>;
export const SharedOrganizationIds = Type.Object({ ids: Type.Array(Uuid) });
export type SharedOrganizationIds = Static<typeof SharedOrganizationIds>;
