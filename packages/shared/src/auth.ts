import { Type, type Static } from '@sinclair/typebox';
import { Uuid } from './common.js';
import { SecurityEventTypes } from './constants.js';
import { PublicUser, RoleSchema } from './identity.js';

const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Name = Type.String({ minLength: 1, maxLength: 100 });

export const SignupBody = Type.Object({ email: Email, password: Password, name: Name });
export type SignupBody = Static<typeof SignupBody>;

export const LoginBody = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Password,
  otp: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type LoginBody = Static<typeof LoginBody>;

/** `POST /api/auth/reauth`: the password (and the TOTP code when MFA is on) again, before a sensitive change. */
export const ReauthBody = Type.Object({ password: Password, otp: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) });
export type ReauthBody = Static<typeof ReauthBody>;
export const ReauthResponse = Type.Object({ reauthenticatedUntil: Type.String() });
export type ReauthResponse = Static<typeof ReauthResponse>;

/** `POST /api/auth/password`: a new password for the signed-in account (after `/reauth`). */
export const ChangePasswordBody = Type.Object({ password: Password });
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

/** The refresh token may come in the body or, for browsers, in the refresh cookie. */
export const RefreshBody = Type.Object({ refreshToken: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })) });
export type RefreshBody = Static<typeof RefreshBody>;

/** The answer of signup, login, refresh and the OAuth callback in body mode. */
export const AuthTokens = Type.Object({
  user: PublicUser,
  accessToken: Type.String(),
  refreshToken: Type.String(),
  /** Seconds until the access token expires. */
  expiresIn: Type.Integer(),
});
export type AuthTokens = Static<typeof AuthTokens>;

export const MeResponse = Type.Object({ user: PublicUser });
export type MeResponse = Static<typeof MeResponse>;

export const SessionInfo = Type.Object({
  id: Uuid,
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  lastUsedAt: Type.String(),
  current: Type.Boolean(),
});
export type SessionInfo = Static<typeof SessionInfo>;

export const CsrfResponse = Type.Object({ csrfToken: Type.String() });

export const EmailBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) });
/** POST /api/auth/email: the address to move the signed-in account to (confirmed by a mailed link). */
export const ChangeEmailBody = Type.Object({ email: Email });
export type ChangeEmailBody = Static<typeof ChangeEmailBody>;
export const TokenBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) });
export const ResetPasswordBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }), password: Password });
export const CodeBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) });

export const TotpSetup = Type.Object({ secret: Type.String(), otpauthUrl: Type.String(), qrCodeDataUrl: Type.String() });
export type TotpSetup = Static<typeof TotpSetup>;
export const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String()) });

export const SecurityEvent = Type.Object({
  id: Uuid,
  userId: Type.Union([Uuid, Type.Null()]),
  type: Type.String(),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
});
export type SecurityEvent = Static<typeof SecurityEvent>;

/**
 * `GET /api/auth/security-events`: the caller's own events (platform admins: everyone's), filtered by
 * type, user (admins) and a time range `since <= createdAt < until`; keyset paging, newest first.
 */
export const SecurityEventsQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  type: Type.Optional(Type.Union(SecurityEventTypes.map((t) => Type.Literal(t)))),
  userId: Type.Optional(Uuid),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
});
export type SecurityEventsQuery = Static<typeof SecurityEventsQuery>;

export const OutboxMail = Type.Object({ to: Type.String(), subject: Type.String(), text: Type.String(), createdAt: Type.String() });
export type OutboxMail = Static<typeof OutboxMail>;

export const CursorQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
});

// --- organizations and projects ---

const Slug = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$' });

export const Organization = Type.Object({
  id: Uuid,
  name: Type.String(),
  slug: Type.String(),
  /** The caller's role. */
  role: RoleSchema,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Organization = Static<typeof Organization>;

export const CreateOrganization = Type.Object({ name: Name, slug: Type.Optional(Slug) });
export type CreateOrganization = Static<typeof CreateOrganization>;
export const UpdateOrganization = Type.Object({ name: Type.Optional(Name), slug: Type.Optional(Slug) }, { minProperties: 1 });
export type UpdateOrganization = Static<typeof UpdateOrganization>;

export const Member = Type.Object({
  userId: Uuid,
  /** Only owners and admins see members' emails; members and guests see names. */
  email: Type.Optional(Type.String()),
  name: Type.String(),
  role: RoleSchema,
  joinedAt: Type.String(),
});
export type Member = Static<typeof Member>;

export const AddMemberBody = Type.Object({ email: Email, role: RoleSchema });
export type AddMemberBody = Static<typeof AddMemberBody>;
export const UpdateMemberBody = Type.Object({ role: RoleSchema });
export const MemberParams = Type.Object({ id: Uuid, userId: Uuid });

export const Project = Type.Object({
  id: Uuid,
  organizationId: Uuid,
  name: Type.String(),
  /** Set while the project is archived (hidden from the sidebar, restorable). */
  archivedAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Project = Static<typeof Project>;
export const CreateProject = Type.Object({ name: Name });
/** Paging of organizations, members and projects: oldest first, `nextCursor` until the end. */
export const ListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 100 }),
});
export type ListQuery = Static<typeof ListQuery>;
export const ProjectsQuery = Type.Object({
  organizationId: Type.Optional(Uuid),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 100 }),
});
export type ProjectsQuery = Static<typeof ProjectsQuery>;

/** `PATCH /api/auth/me`: the profile fields a user may change themself. */
export const UpdateMeBody = Type.Object({ name: Name });
export type UpdateMeBody = Static<typeof UpdateMeBody>;
