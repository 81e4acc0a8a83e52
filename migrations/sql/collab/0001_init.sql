-- Collab schema: documents, their append-only Yjs update log, compacted snapshots and named versions.
-- project_id and created_by point into auth's schema; no cross-service foreign keys, auth is asked instead.

create table collab.documents (
  id          uuid primary key default gen_random_uuid(),
  project_id  uuid not null,
  title       text not null,
  created_by  uuid not null,
  -- millisecond precision, so the (created_at, id) page cursor survives a round trip through JSON
  created_at  timestamptz not null default date_trunc('milliseconds', now()),
  -- bumped (debounced) when edits are persisted, so lists can show recent activity
  updated_at  timestamptz not null default now()
);
create index documents_project_idx on collab.documents (project_id, created_at desc, id desc);

-- Every update the server accepted, in arrival order; compaction folds a prefix of it into a snapshot.
create table collab.document_updates (
  id          bigserial primary key,
  document_id uuid not null references collab.documents (id) on delete cascade,
  update      bytea not null,
  created_at  timestamptz not null default now()
);
create index document_updates_document_idx on collab.document_updates (document_id, id);

-- The whole document state (a Yjs update) covering every logged update with id <= up_to_update_id.
create table collab.document_snapshots (
  document_id     uuid primary key references collab.documents (id) on delete cascade,
  state           bytea not null,
  up_to_update_id bigint not null,
  updated_at      timestamptz not null default now()
);

-- A named, frozen copy of the document state; restoring one writes a new update on top of the log.
create table collab.document_versions (
  id          uuid primary key default gen_random_uuid(),
  document_id uuid not null references collab.documents (id) on delete cascade,
  name        text not null,
  state       bytea not null,
  created_by  uuid not null,
  created_at  timestamptz not null default now()
);
create index document_versions_document_idx on collab.document_versions (document_id, created_at desc, id desc);
