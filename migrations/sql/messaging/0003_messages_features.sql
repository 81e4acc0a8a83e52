-- Messages features: each member's mute and archive of a conversation, and pinned messages.
-- Expand only: nullable columns and a new table, so the previous release keeps running.

-- When the member muted / archived the conversation (null: not). An archived conversation shows
-- again in the main list once a message newer than archived_at arrives, unless it is muted.
alter table messaging.conversation_members
  add column muted_at    timestamptz,
  add column archived_at timestamptz;

-- A message pinned in its conversation (any member pins or unpins; one pin per message).
create table messaging.pins (
  message_id      uuid primary key references messaging.messages (id) on delete cascade,
  conversation_id uuid not null references messaging.conversations (id) on delete cascade,
  pinned_by       uuid not null,
  pinned_at       timestamptz not null default now()
);
create index pins_conversation_idx on messaging.pins (conversation_id, pinned_at desc);
