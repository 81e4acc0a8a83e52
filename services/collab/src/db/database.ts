import type { ColumnType, Generated } from 'kysely';

/** Row types of the `collab` schema, matching migrations/sql/collab; kysely queries use `collab.<table>`. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
// bigserial ids come back from postgres.js as strings; kysely accepts them back as strings too.
type BigId = ColumnType<string, string | undefined, string>;

export interface DocumentsTable {
  id: Generated<string>;
  project_id: string;
  title: string;
  created_by: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
  /** In the trash since (0004); null while live. */
  deleted_at: Generated<Date | null>;
  deleted_by: Generated<string | null>;
}

export interface DocumentUpdatesTable {
  id: BigId;
  document_id: string;
  update: Uint8Array;
  created_at: CreatedAt;
}

export interface DocumentSnapshotsTable {
  document_id: string;
  state: Uint8Array;
  up_to_update_id: BigId;
  updated_at: Timestamp;
}

export interface DocumentVersionsTable {
  id: Generated<string>;
  document_id: string;
  name: string;
  state: Uint8Array;
  created_by: string;
  created_at: CreatedAt;
}

export interface CommentThreadsTable {
  id: Generated<string>;
  document_id: string;
  anchor_from: string;
  anchor_to: string;
  quote: string;
  created_by: string;
  created_at: CreatedAt;
  resolved_at: Date | null;
  resolved_by: string | null;
}

export interface CommentsTable {
  id: Generated<string>;
  thread_id: string;
  author_id: string;
  author_name: string;
  body: string;
  created_at: CreatedAt;
}

export interface Database {
  'collab.documents': DocumentsTable;
  'collab.document_updates': DocumentUpdatesTable;
  'collab.document_snapshots': DocumentSnapshotsTable;
  'collab.document_versions': DocumentVersionsTable;
  'collab.comment_threads': CommentThreadsTable;
  'collab.comments': CommentsTable;
}
