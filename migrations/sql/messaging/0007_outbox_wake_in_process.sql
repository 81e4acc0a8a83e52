-- The outbox's NOTIFY on every insert (0002) made each message's commit take PostgreSQL's notify
-- lock, which it holds through the commit's fsync (one notifying commit at a time), and woke the
-- relay once per message. Messaging now wakes its own relay in process a moment after the commits
-- that wrote to the outbox, once for all of them (jobs/outbox-wake.ts); the relay's poll stays behind it.
drop trigger outbox_notify on messaging.outbox;
drop function messaging.outbox_notify();
