import type { Role } from '@flux/shared';
import type { ColumnType, Generated, Insertable, RawBuilder, Selectable } from 'kysely';

/** Row types of the `auth` schema, matching migrations/sql/auth; kysely queries use `auth.<table>`. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string | null;
  email_verified_at: Date | null;
  mfa_pending_secret: string | null;
  mfa_secret: string | null;
  mfa_enabled_at: Date | null;
  is_admin: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  /** people (0006): scheduled for deletion at; erased (a tombstone) at. */
  deletion_requested_at: Generated<Date | null>;
  deleted_at: Generated<Date | null>;
  /** workspace (0007): a platform admin disabled the account (it cannot sign in). */
  disabled_at: Generated<Date | null>;
  disabled_by: Generated<string | null>;
}

/** people (0006): the avatar, resized and re-encoded once on upload. */
export interface UserAvatarsTable {
  user_id: string;
  version: number;
  image: Buffer;
  updated_at: Generated<Date>;
}

export interface MfaRecoveryCodesTable {
  id: Generated<string>;
  user_id: string;
  code_hash: string;
  used_at: Date | null;
  created_at: CreatedAt;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  user_agent: string | null;
  ip: string | null;
  created_at: CreatedAt;
  last_used_at: Timestamp;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  session_id: string;
  token_hash: string;
  parent_id: string | null;
  successor_id: string | null;
  used_at: Date | null;
  expires_at: Date;
  created_at: CreatedAt;
}

export interface EmailTokensTable {
  id: Generated<string>;
  user_id: string;
  purpose: 'verify_email' | 'reset_password' | 'change_email';
  token_hash: string;
  /** The address a `change_email` token moves the account to (null for the other purposes). */
  new_email: string | null;
  expires_at: Date;
  used_at: Date | null;
  created_at: CreatedAt;
}

export interface OauthAccountsTable {
  provider: string;
  subject: string;
  user_id: string;
  email: string | null;
  created_at: CreatedAt;
}

export interface DevOutboxTable {
  id: Generated<string>;
  recipient: string;
  subject: string;
  body: string;
  created_at: CreatedAt;
}

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  slug: string;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface OrganizationMembersTable {
  organization_id: string;
  user_id: string;
  role: Role;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface InvitationsTable {
  id: Generated<string>;
  organization_id: string;
  email: string;
  role: Role;
  invited_by: string | null;
  created_at: CreatedAt;
  expires_at: Date;
  accepted_at: Date | null;
  /** SHA-256 of the mailed link's token; null for invitations from before links. */
  token_hash: string | null;
  accepted_by: string | null;
  sent_at: Timestamp;
}

export interface ProjectsTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  /** workspace (0007) */
  archived_at: Generated<Date | null>;
}

/** workspace (0007): one row; whether the next account to sign up becomes a platform admin. */
export interface PlatformSettingsTable {
  singleton: Generated<boolean>;
  first_account_admin: boolean;
}

export interface SecurityEventsTable {
  id: Generated<string>;
  user_id: string | null;
  type: string;
  ip: string | null;
  user_agent: string | null;
  metadata: ColumnType<Record<string, unknown>, RawBuilder<Record<string, unknown>> | undefined, never>;
  created_at: CreatedAt;
}

export interface KnownDevicesTable {
  user_id: string;
  device_hash: string;
  user_agent: string | null;
  first_seen_at: Generated<Date>;
  last_seen_at: Generated<Date>;
}

export interface Database {
  'auth.users': UsersTable;
  'auth.mfa_recovery_codes': MfaRecoveryCodesTable;
  'auth.sessions': SessionsTable;
  'auth.refresh_tokens': RefreshTokensTable;
  'auth.email_tokens': EmailTokensTable;
  'auth.oauth_accounts': OauthAccountsTable;
  'auth.dev_outbox': DevOutboxTable;
  'auth.organizations': OrganizationsTable;
  'auth.organization_members': OrganizationMembersTable;
  'auth.invitations': InvitationsTable;
  'auth.projects': ProjectsTable;
  'auth.security_events': SecurityEventsTable;
  'auth.known_devices': KnownDevicesTable;
  'auth.user_avatars': UserAvatarsTable;
  'auth.platform_settings': PlatformSettingsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type SecurityEventRow = Selectable<SecurityEventsTable>;
export type DevOutboxRow = Selectable<DevOutboxTable>;
