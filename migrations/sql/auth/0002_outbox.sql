-- Transactional outbox (server-kit outbox.ts): events that must not be lost are inserted here in
-- the transaction of the change they announce; the relay reads them in seq order under an
-- advisory lock, hands them on (Redis stream or BullMQ) and deletes them in the same transaction.
create table auth.outbox (
  -- seq orders the relay; id is what consumers deduplicate on
  seq        bigint generated always as identity primary key,
  id         uuid not null default gen_random_uuid() unique,
  name       text not null,
  payload    jsonb not null,
  created_at timestamptz not null default now()
);

-- Wakes the relays (LISTEN auth_outbox) when the inserting transaction commits.
create function auth.outbox_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('auth_outbox', '');
  return null;
end
$$;

create trigger outbox_notify after insert on auth.outbox
  for each statement execute function auth.outbox_notify();
