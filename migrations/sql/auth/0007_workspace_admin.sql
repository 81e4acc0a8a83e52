-- Workspace and the admin console: archived projects, disabled accounts, and who becomes the first
-- platform admin. Only columns and a table are added, so the previous release keeps working.

-- An archived project leaves the sidebar and the project pickers; it stays readable and can be restored.
alter table auth.projects add column archived_at timestamptz;

-- A disabled account cannot sign in; disabling it revoked its sessions (platform admins do both).
alter table auth.users add column disabled_at timestamptz;
alter table auth.users add column disabled_by uuid references auth.users (id) on delete set null;

-- One row. On a fresh install (no account yet when this runs) the first account to sign up becomes a
-- platform admin, claimed atomically; an install that already has accounts grants admins with
-- `./flux admin grant <email>` instead.
create table auth.platform_settings (
  singleton           boolean primary key default true check (singleton),
  first_account_admin boolean not null
);
insert into auth.platform_settings (first_account_admin) select not exists (select 1 from auth.users);

-- The admin console lists accounts newest first (keyset paging).
create index users_created_idx on auth.users (created_at desc, id desc);
