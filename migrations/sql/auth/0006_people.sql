-- People: avatars, and account deletion with a grace period.
-- An avatar is stored once, already resized and re-encoded (WebP); its version changes on every
-- upload so its URL can be cached as immutable.
create table auth.user_avatars (
  user_id    uuid primary key references auth.users (id) on delete cascade,
  version    integer not null,
  image      bytea not null,
  updated_at timestamptz not null default now()
);

-- deletion_requested_at: the account is scheduled for deletion (signing in before the grace ends
-- cancels it). deleted_at: personal data was erased; the row stays as the tombstone that messages
-- and documents still point to.
alter table auth.users add column deletion_requested_at timestamptz;
alter table auth.users add column deleted_at timestamptz;
create index users_deletion_due_idx on auth.users (deletion_requested_at)
  where deletion_requested_at is not null and deleted_at is null;
