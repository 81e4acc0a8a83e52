-- Images uploaded into a collab document: readable by the document's readers (collab is asked per
-- download), not only by the uploader and conversation members. Null for every other file.
alter table messaging.files add column document_id uuid;
create index files_document_idx on messaging.files (document_id) where document_id is not null;
