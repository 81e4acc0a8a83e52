-- Auth schema: accounts, sessions and refresh-token families, MFA, OAuth links, email tokens,
-- organizations with members, invitations and projects, and the security event log.
-- Emails are stored normalised (trimmed, lower-case) by the service, so a plain unique index suffices.

create table auth.users (
  id                uuid primary key default gen_random_uuid(),
  email             text not null,
  name              text not null,
  -- null for accounts created through OAuth that never set a password
  password_hash     text,
  email_verified_at timestamptz,
  -- a secret waiting for its first code lives in mfa_pending_secret; mfa_secret is set once enabled
  mfa_pending_secret text,
  mfa_secret        text,
  mfa_enabled_at    timestamptz,
  -- platform administrators see every security event
  is_admin          boolean not null default false,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  constraint users_email_normalised check (email = lower(btrim(email)))
);
create unique index users_email_key on auth.users (email);

create table auth.mfa_recovery_codes (
  id         uuid primary key default gen_random_uuid(),
  user_id    uuid not null references auth.users (id) on delete cascade,
  code_hash  text not null,
  used_at    timestamptz,
  created_at timestamptz not null default now()
);
create index mfa_recovery_codes_user_idx on auth.mfa_recovery_codes (user_id);

-- A session is one sign-in and the chain (family) of its refresh tokens.
create table auth.sessions (
  id             uuid primary key default gen_random_uuid(),
  user_id        uuid not null references auth.users (id) on delete cascade,
  user_agent     text,
  ip             text,
  created_at     timestamptz not null default now(),
  last_used_at   timestamptz not null default now(),
  -- hard cap: 30 days after sign-in whatever the rotations
  expires_at     timestamptz not null,
  revoked_at     timestamptz,
  revoked_reason text,
  constraint sessions_cap check (expires_at <= created_at + interval '30 days')
);
create index sessions_user_idx on auth.sessions (user_id) where revoked_at is null;
create index sessions_expires_idx on auth.sessions (expires_at);

create table auth.refresh_tokens (
  id           uuid primary key default gen_random_uuid(),
  session_id   uuid not null references auth.sessions (id) on delete cascade,
  -- sha256 of the opaque token, hex; the token itself is never stored
  token_hash   text not null,
  parent_id    uuid references auth.refresh_tokens (id) on delete set null,
  successor_id uuid references auth.refresh_tokens (id) on delete set null,
  used_at      timestamptz,
  expires_at   timestamptz not null,
  created_at   timestamptz not null default now()
);
create unique index refresh_tokens_hash_key on auth.refresh_tokens (token_hash);
create index refresh_tokens_session_idx on auth.refresh_tokens (session_id);
create index refresh_tokens_expires_idx on auth.refresh_tokens (expires_at);

-- Single-use, expiring tokens mailed to users (email verification, password reset).
create table auth.email_tokens (
  id         uuid primary key default gen_random_uuid(),
  user_id    uuid not null references auth.users (id) on delete cascade,
  purpose    text not null check (purpose in ('verify_email', 'reset_password')),
  token_hash text not null,
  expires_at timestamptz not null,
  used_at    timestamptz,
  created_at timestamptz not null default now()
);
create unique index email_tokens_hash_key on auth.email_tokens (token_hash);
create index email_tokens_user_idx on auth.email_tokens (user_id, purpose);
create index email_tokens_expires_idx on auth.email_tokens (expires_at);

-- Identities at external OAuth/OIDC providers linked to an account.
create table auth.oauth_accounts (
  provider   text not null,
  subject    text not null,
  user_id    uuid not null references auth.users (id) on delete cascade,
  email      text,
  created_at timestamptz not null default now(),
  primary key (provider, subject)
);
create index oauth_accounts_user_idx on auth.oauth_accounts (user_id);

-- Mail captured outside production when no SMTP server is configured (GET /api/auth/dev/outbox).
create table auth.dev_outbox (
  id         uuid primary key default gen_random_uuid(),
  recipient  text not null,
  subject    text not null,
  body       text not null,
  created_at timestamptz not null default now()
);
create index dev_outbox_recipient_idx on auth.dev_outbox (recipient, created_at desc);

create table auth.organizations (
  id         uuid primary key default gen_random_uuid(),
  name       text not null,
  slug       text not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint organizations_slug_format check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$')
);
create unique index organizations_slug_key on auth.organizations (slug);

create table auth.organization_members (
  organization_id uuid not null references auth.organizations (id) on delete cascade,
  user_id         uuid not null references auth.users (id) on delete cascade,
  role            text not null check (role in ('owner', 'admin', 'member', 'guest')),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  primary key (organization_id, user_id)
);
create index organization_members_user_idx on auth.organization_members (user_id);

-- An invitation of an email that has no account yet; accepted when that email signs up.
create table auth.invitations (
  id              uuid primary key default gen_random_uuid(),
  organization_id uuid not null references auth.organizations (id) on delete cascade,
  email           text not null check (email = lower(btrim(email))),
  role            text not null check (role in ('owner', 'admin', 'member', 'guest')),
  invited_by      uuid references auth.users (id) on delete set null,
  created_at      timestamptz not null default now(),
  expires_at      timestamptz not null,
  accepted_at     timestamptz
);
create unique index invitations_pending_key on auth.invitations (organization_id, email) where accepted_at is null;
create index invitations_email_idx on auth.invitations (email) where accepted_at is null;

create table auth.projects (
  id              uuid primary key default gen_random_uuid(),
  organization_id uuid not null references auth.organizations (id) on delete cascade,
  name            text not null,
  created_by      uuid references auth.users (id) on delete set null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index projects_organization_idx on auth.projects (organization_id, created_at);

-- Every authentication event: who (if known), what, from where, with free-form metadata.
create table auth.security_events (
  id         uuid primary key default gen_random_uuid(),
  user_id    uuid references auth.users (id) on delete set null,
  type       text not null,
  ip         text,
  user_agent text,
  metadata   jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index security_events_user_idx on auth.security_events (user_id, created_at desc, id desc);
create index security_events_created_idx on auth.security_events (created_at desc, id desc);
