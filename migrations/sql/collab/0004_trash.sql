-- Deleting a document moves it to its project's trash: it is hidden from lists and sockets, can be
-- restored for DOCUMENT_TRASH_DAYS (30), and the purge job deletes it for good after that.
alter table collab.documents add column deleted_at timestamptz;
alter table collab.documents add column deleted_by uuid;
create index documents_trash_idx on collab.documents (project_id, deleted_at desc, id desc) where deleted_at is not null;
create index documents_purge_idx on collab.documents (deleted_at) where deleted_at is not null;
