-- Notification preferences per user; no row means the defaults (everything on, no digest).
-- digest_sent_at: the newest notification a digest mail covered, so a digest never repeats one.
create table messaging.notification_preferences (
  user_id         uuid primary key,
  mentions        boolean not null default true,
  direct_messages boolean not null default true,
  email_digest    text not null default 'off' check (email_digest in ('off', 'daily')),
  digest_sent_at  timestamptz,
  updated_at      timestamptz not null default now()
);
create index notification_preferences_digest_idx on messaging.notification_preferences (user_id) where email_digest <> 'off';
