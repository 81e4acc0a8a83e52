-- What a history page shows changes in two ways: new messages move the conversation's last_seq;
-- everything else (an edit, a deletion, a reply count, a reaction, an attachment's file deleted,
-- an author's name) moves these counters. Triggers move them, so no write path can forget to; the
-- page cache (services/messaging/src/messages/page-cache.ts) serves a stored page only while
-- last_seq and both counters are what they were when it was built.
--
-- The triggers are deferred to commit: the counter's row lock is then the last lock a transaction
-- takes, so it cannot close a cycle with the message and conversation rows (no deadlocks).
-- No foreign key: a deleted conversation's cascade must not touch its counter.
create table messaging.conversation_changes (
  conversation_id uuid primary key,
  changes         bigint not null default 0
);

-- Authors' names are on every page of their conversations; renames are rare, so one counter for all.
create table messaging.name_changes (
  only_row boolean primary key default true check (only_row),
  changes  bigint not null default 0
);
insert into messaging.name_changes default values;

create function messaging.note_conversation_change(conversation uuid) returns void language sql as $$
  insert into messaging.conversation_changes as c (conversation_id, changes) values (conversation, 1)
  on conflict (conversation_id) do update set changes = c.changes + 1
$$;

create function messaging.message_changed() returns trigger language plpgsql as $$
begin
  perform messaging.note_conversation_change(new.conversation_id);
  return null;
end
$$;

-- A reaction or an attachment: its message's conversation. At commit the message may be gone (its
-- conversation deleted in the same transaction): nothing to note then.
create function messaging.message_part_changed() returns trigger language plpgsql as $$
begin
  perform messaging.note_conversation_change(m.conversation_id)
  from messaging.messages m
  where m.id = case tg_op when 'DELETE' then old.message_id else new.message_id end;
  return null;
end
$$;

create constraint trigger messages_page_change after update on messaging.messages
  deferrable initially deferred for each row
  when (
    (old.content, old.edited_at, old.deleted_at, old.reply_count, old.parent_id)
    is distinct from (new.content, new.edited_at, new.deleted_at, new.reply_count, new.parent_id)
  )
  execute function messaging.message_changed();

create constraint trigger reactions_page_change after insert or delete on messaging.reactions
  deferrable initially deferred for each row execute function messaging.message_part_changed();

create constraint trigger attachments_page_change after insert or delete on messaging.message_attachments
  deferrable initially deferred for each row execute function messaging.message_part_changed();

create function messaging.note_name_change() returns trigger language plpgsql as $$
begin
  update messaging.name_changes set changes = changes + 1;
  return null;
end
$$;

create constraint trigger users_page_insert after insert on messaging.users
  deferrable initially deferred for each row execute function messaging.note_name_change();

create constraint trigger users_page_rename after update on messaging.users
  deferrable initially deferred for each row when (old.name is distinct from new.name)
  execute function messaging.note_name_change();
