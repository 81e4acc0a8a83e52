-- Messaging schema: a projection of users, conversations with members and read positions,
-- messages with a gap-free per-conversation seq, reactions, files, attachments, notifications.
-- No foreign keys to other services' schemas: user and project ids are plain uuids.

-- Names and emails of users, copied from auth's user.created/user.updated events (and fetched
-- on demand), for mentions and display without a call to auth per message.
create table messaging.users (
  id         uuid primary key,
  name       text not null,
  email      text not null,
  updated_at timestamptz not null default now()
);

create table messaging.conversations (
  id              uuid primary key default gen_random_uuid(),
  type            text not null check (type in ('direct', 'group', 'project')),
  name            text,
  project_id      uuid,
  organization_id uuid,
  -- "<smaller uuid>:<larger uuid>" for direct conversations, so one pair has one conversation
  direct_key      text unique,
  created_by      uuid,
  -- The seq counter: incremented in the transaction that inserts a message, so the row lock
  -- orders concurrent senders and a rolled-back insert leaves no gap (a sequence would).
  last_seq        bigint not null default 0,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  constraint conversations_direct_key check ((type = 'direct') = (direct_key is not null)),
  constraint conversations_project check ((type = 'project') = (project_id is not null))
);
create unique index conversations_project_key on messaging.conversations (project_id) where type = 'project';
create index conversations_organization_idx on messaging.conversations (organization_id) where type = 'project';

create table messaging.conversation_members (
  conversation_id uuid not null references messaging.conversations (id) on delete cascade,
  user_id         uuid not null,
  role            text not null default 'member' check (role in ('admin', 'member')),
  last_read_seq   bigint not null default 0,
  joined_at       timestamptz not null default now(),
  primary key (conversation_id, user_id)
);
create index conversation_members_user_idx on messaging.conversation_members (user_id);

create table messaging.messages (
  id              uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references messaging.conversations (id) on delete cascade,
  seq             bigint not null,
  sender_id       uuid not null,
  -- the sender's idempotency key: a retry with the same key finds the first message
  client_id       text not null,
  content         text not null,
  parent_id       uuid references messaging.messages (id),
  reply_count     integer not null default 0,
  created_at      timestamptz not null default now(),
  edited_at       timestamptz,
  deleted_at      timestamptz,
  search          tsvector generated always as (to_tsvector('english'::regconfig, content)) stored,
  constraint messages_seq_key unique (conversation_id, seq),
  constraint messages_client_key unique (sender_id, client_id)
);
create index messages_search_idx on messaging.messages using gin (search);
create index messages_parent_idx on messaging.messages (parent_id, seq) where parent_id is not null;

create table messaging.reactions (
  message_id uuid not null references messaging.messages (id) on delete cascade,
  user_id    uuid not null,
  emoji      text not null,
  created_at timestamptz not null default now(),
  primary key (message_id, user_id, emoji)
);

create table messaging.files (
  id          uuid primary key default gen_random_uuid(),
  owner_id    uuid not null,
  name        text not null,
  mime_type   text not null,
  size        bigint not null,
  -- where the storage backend keeps the bytes
  storage_key text not null,
  created_at  timestamptz not null default now()
);
create index files_owner_idx on messaging.files (owner_id);

create table messaging.message_attachments (
  message_id uuid not null references messaging.messages (id) on delete cascade,
  file_id    uuid not null references messaging.files (id) on delete cascade,
  position   integer not null default 0,
  primary key (message_id, file_id)
);
create index message_attachments_file_idx on messaging.message_attachments (file_id);

create table messaging.notifications (
  id              uuid primary key default gen_random_uuid(),
  user_id         uuid not null,
  type            text not null check (type in ('mention', 'direct_message', 'added_to_conversation')),
  title           text not null,
  body            text not null,
  conversation_id uuid,
  message_id      uuid,
  actor_id        uuid,
  -- a retried job must not notify twice: one notification per user and cause
  dedupe_key      text not null,
  read_at         timestamptz,
  created_at      timestamptz not null default now(),
  constraint notifications_dedupe_key unique (user_id, dedupe_key)
);
create index notifications_user_idx on messaging.notifications (user_id, created_at desc, id desc);
create index notifications_unread_idx on messaging.notifications (user_id) where read_at is null;
