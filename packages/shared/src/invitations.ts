import { Type, type Static } from '@sinclair/typebox';
import { Uuid } from './common.js';
import { RoleSchema } from './identity.js';

const NullableName = Type.Union([Type.String(), Type.Null()]);

/**
 * `POST /api/organizations/:id/members`: always this answer (202), whether or not the email has an
 * account, so the call cannot be used to probe for accounts. The invitee joins by accepting.
 */
export const InviteResult = Type.Object({ status: Type.Literal('invited') });
export type InviteResult = Static<typeof InviteResult>;

/** A pending invitation as the organization's owners and admins see it. */
export const Invitation = Type.Object({
  id: Uuid,
  organizationId: Uuid,
  email: Type.String(),
  role: RoleSchema,
  /** The inviter's name (null once their account is gone). */
  invitedBy: NullableName,
  createdAt: Type.String(),
  /** After this the link no longer works; resending refreshes it. */
  expiresAt: Type.String(),
});
export type Invitation = Static<typeof Invitation>;

/** `GET /api/invitations`: one of the caller's own pending invitations (verified email only). */
export const PendingInvitation = Type.Object({
  id: Uuid,
  organization: Type.Object({ id: Uuid, name: Type.String() }),
  role: RoleSchema,
  invitedBy: NullableName,
  createdAt: Type.String(),
  expiresAt: Type.String(),
});
export type PendingInvitation = Static<typeof PendingInvitation>;

/** `POST /api/invitations/accept`: the token from the invitation mail's link. */
export const AcceptInvitationBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) });
export type AcceptInvitationBody = Static<typeof AcceptInvitationBody>;

export const InvitationParams = Type.Object({ id: Uuid, invitationId: Uuid });
export type InvitationParams = Static<typeof InvitationParams>;

// --- people (GET /api/users → Page(UserSummary): names, never emails) ---

export const UserSearchQuery = Type.Object({
  /** Part of the name, case-insensitive; without it, everyone the caller shares an organization with. */
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
});
export type UserSearchQuery = Static<typeof UserSearchQuery>;

// --- OIDC sign-in steps after the provider's callback ---

/** `POST /api/auth/oauth/mfa`: the TOTP (or recovery) code of the account the provider signed in to. */
export const OAuthMfaBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) });
export type OAuthMfaBody = Static<typeof OAuthMfaBody>;

/** `POST /api/auth/oauth/link`: the existing account's password (and code when MFA is on), once, to link the provider. */
export const OAuthLinkBody = Type.Object({
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  otp: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type OAuthLinkBody = Static<typeof OAuthLinkBody>;
