-- Browsers an account signed in from (the flux_device cookie, stored hashed): a sign-in from one
-- not listed is a "new device" security event with a notice mail.
create table auth.known_devices (
  user_id       uuid not null references auth.users (id) on delete cascade,
  device_hash   text not null,
  user_agent    text,
  first_seen_at timestamptz not null default now(),
  last_seen_at  timestamptz not null default now(),
  primary key (user_id, device_hash)
);

-- The security log filtered by type (platform admins' view), newest first.
create index security_events_type_idx on auth.security_events (type, created_at desc, id desc);
