-- Comments on a selection of a document: a thread anchored to a range, its replies, resolve/reopen.
-- The anchor is two Yjs relative positions (base64 of Y.encodeRelativePosition) into the document's
-- `default` XmlFragment: it follows the text as people edit. Author names are copied at write time
-- (auth owns users; collab keeps no projection of them).

create table collab.comment_threads (
  id          uuid primary key default gen_random_uuid(),
  document_id uuid not null references collab.documents (id) on delete cascade,
  anchor_from text not null,
  anchor_to   text not null,
  -- the selected text when the thread was opened, shown when the anchor's text is gone
  quote       text not null,
  created_by  uuid not null,
  created_at  timestamptz not null default date_trunc('milliseconds', now()),
  resolved_at timestamptz,
  resolved_by uuid
);
create index comment_threads_document_idx on collab.comment_threads (document_id, created_at, id);

-- The thread's first comment is its opening message; replies follow in time order.
create table collab.comments (
  id          uuid primary key default gen_random_uuid(),
  thread_id   uuid not null references collab.comment_threads (id) on delete cascade,
  author_id   uuid not null,
  author_name text not null,
  body        text not null,
  created_at  timestamptz not null default date_trunc('milliseconds', now())
);
create index comments_thread_idx on collab.comments (thread_id, created_at, id);
